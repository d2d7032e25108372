//! Literal text in Apollo's supergraph: descriptions, quoted strings and
//! default values, as the black box prints them.
//!
//! Apollo's printer works from JavaScript values, so strings are escaped
//! like `JSON.stringify` (lowercase `\u00xx` for control characters) and
//! floats print like JavaScript numbers (`1.50` → `1.5`, `1e3` → `1000`).

use apollo_compiler::ast::{FloatValue, IntValue, Value};

/// A description printed above an element indented by `indent`, ending in
/// a newline; empty when there is none. A described element that is not
/// the first of an indented block gets a blank line before it.
pub(super) fn description(text: Option<&str>, indent: &str, first_in_block: bool) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let prefix = if !indent.is_empty() && !first_in_block {
        format!("\n{indent}")
    } else {
        indent.to_string()
    };
    let block = block_string(text).replace('\n', &format!("\n{indent}"));
    format!("{prefix}{block}\n")
}

/// A block string: on one line unless the text has a newline or ends in
/// `"` or `\`; a multi-line one starts on its own line unless it is a
/// single line starting with a space or tab.
fn block_string(text: &str) -> String {
    let single_line = !text.contains('\n');
    let leading_space = text.starts_with([' ', '\t']);
    let multi_line = !single_line || text.ends_with(['"', '\\']);
    let mut inner = String::with_capacity(text.len() + 2);
    if multi_line && !(single_line && leading_space) {
        inner.push('\n');
    }
    inner.push_str(text);
    if multi_line {
        inner.push('\n');
    }
    format!("\"\"\"{}\"\"\"", inner.replace("\"\"\"", "\\\"\"\""))
}

/// A quoted GraphQL string, escaped like `JSON.stringify`.
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value (a default) as GraphQL source: `["a", "b"]`, `{a: 1, b: "s"}`.
pub(super) fn value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Enum(name) => name.to_string(),
        Value::Variable(name) => format!("${name}"),
        Value::String(s) => quoted(s),
        Value::Int(i) => int(i),
        Value::Float(f) => float(f),
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|item| self::value(item)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(name, v)| format!("{name}: {}", self::value(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

/// An integer as JavaScript prints the number it parses to.
fn int(i: &IntValue) -> String {
    match i.as_str().parse::<i64>() {
        Ok(n) if n.unsigned_abs() < 1 << 53 => n.to_string(),
        _ => i.try_to_f64().map_or_else(|_| i.to_string(), js_number),
    }
}

/// A float as JavaScript prints the number it parses to.
fn float(f: &FloatValue) -> String {
    f.try_to_f64().map_or_else(|_| f.to_string(), js_number)
}

/// JavaScript's `Number.prototype.toString()` for a finite number: the
/// shortest round-trip digits, positional for exponents −7 < e < 21.
pub(super) fn js_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    if x < 0.0 {
        return format!("-{}", js_number(-x));
    }
    // `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    positional_or_exponent(&digits, exponent + 1)
}

/// Places the decimal point of `digits` (value `0.digits × 10^point`) the
/// way ECMAScript's Number::toString does.
fn positional_or_exponent(digits: &str, point: i64) -> String {
    let count = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let zeros = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    if count <= point && point <= 21 {
        return format!("{digits}{}", zeros(point - count));
    }
    if 0 < point && point <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(point).unwrap_or(0));
        return format!("{int}.{frac}");
    }
    if -6 < point && point <= 0 {
        return format!("0.{}{digits}", zeros(-point));
    }
    let sign = if point - 1 < 0 { '-' } else { '+' };
    let (first, rest) = digits.split_at(1);
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(".{rest}")
    };
    format!("{first}{rest}e{sign}{}", (point - 1).abs())
}

#[cfg(test)]
mod tests {
    use apollo_compiler::ast::{FloatValue, IntValue, Value};

    use super::{description, js_number, quoted, value};

    #[test]
    fn prints_descriptions_as_apollo_does() {
        assert_eq!(
            description(Some("one line"), "", true),
            "\"\"\"one line\"\"\"\n"
        );
        assert_eq!(description(Some("x"), "  ", true), "  \"\"\"x\"\"\"\n");
        assert_eq!(description(Some("x"), "  ", false), "\n  \"\"\"x\"\"\"\n");
        assert_eq!(
            description(Some("first\n\nthird"), "  ", true),
            "  \"\"\"\n  first\n  \n  third\n  \"\"\"\n"
        );
        assert_eq!(
            description(Some("ends in \""), "", true),
            "\"\"\"\nends in \"\n\"\"\"\n"
        );
        assert_eq!(
            description(Some(" lead\\"), "", true),
            "\"\"\" lead\\\n\"\"\"\n"
        );
        assert_eq!(
            description(Some("has \"\"\" inside"), "", true),
            "\"\"\"has \\\"\"\" inside\"\"\"\n"
        );
        assert_eq!(description(None, "  ", false), "");
    }

    #[test]
    fn escapes_strings_like_json() {
        assert_eq!(
            quoted("a\"b\\c\nd\te\r\u{8}\u{c}\u{1b}é"),
            r#""a\"b\\c\nd\te\r\b\f\u001bé""#
        );
    }

    #[test]
    fn prints_numbers_as_javascript_does() {
        let float = |text: &str| value(&Value::Float(FloatValue::new_parsed(text)));
        assert_eq!(float("1.50"), "1.5");
        assert_eq!(float("1e3"), "1000");
        assert_eq!(float("1.0"), "1");
        assert_eq!(float("-0.0"), "0");
        assert_eq!(float("0.1"), "0.1");
        assert_eq!(float("123.456e5"), "12345600");
        assert_eq!(float("1.25e-7"), "1.25e-7");
        assert_eq!(float("0.000001"), "0.000001");
        assert_eq!(float("2e21"), "2e+21");
        assert_eq!(float("12345678901234567890.0"), "12345678901234567000");
        assert_eq!(float("-2.5"), "-2.5");
        assert_eq!(value(&Value::Int(IntValue::new_parsed("-5"))), "-5");
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1e20), "100000000000000000000");
    }
}
