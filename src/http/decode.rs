//! Turning an HTTP request into a [`GraphQLRequest`]: the JSON body of a POST
//! (or, when batching is on, a JSON array of them), or the `query`,
//! `operationName`, `variables` and `extensions` parameters of a GET.
//!
//! A well-formed body is decoded in one pass straight into the request type;
//! only when that fails is the body looked at again, to say precisely what is
//! wrong with it.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::HttpError;
use crate::pipeline::GraphQLRequest;

/// A POST body: one request, or a batch of them (each decoded on its own,
/// so that one malformed entry fails alone).
#[derive(Debug)]
pub enum PostBody {
    Single(GraphQLRequest),
    Batch(Vec<Result<GraphQLRequest, HttpError>>),
}

/// Decodes a POST body that may be a batch of at most `max_batch` requests
/// (`None`: batching is off, and an array is refused).
pub fn post_body_or_batch(body: &[u8], max_batch: Option<usize>) -> Result<PostBody, HttpError> {
    let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let Some(max) = max_batch.filter(|_| is_array) else {
        return post_body(body).map(PostBody::Single);
    };
    let entries: Vec<&RawValue> = serde_json::from_slice(body)
        .map_err(|error| HttpError::MalformedJson(error.to_string()))?;
    if entries.is_empty() {
        return Err(HttpError::EmptyBatch);
    }
    if entries.len() > max {
        return Err(HttpError::BatchTooLarge { max });
    }
    let requests = entries
        .iter()
        .map(|entry| post_body(entry.get().as_bytes()));
    Ok(PostBody::Batch(requests.collect()))
}

/// Decodes the JSON body of a POST request.
pub fn post_body(body: &[u8]) -> Result<GraphQLRequest, HttpError> {
    match serde_json::from_slice::<GraphQLRequest>(body) {
        Ok(request) => Ok(request),
        Err(error) => Err(explain_body(body, &error)),
    }
}

/// Says what is wrong with a body that did not decode as a [`GraphQLRequest`].
fn explain_body(body: &[u8], error: &serde_json::Error) -> HttpError {
    let value = match serde_json::from_slice::<Value>(body) {
        Ok(value) => value,
        Err(syntax) => return HttpError::MalformedJson(syntax.to_string()),
    };
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => return HttpError::BatchingDisabled,
        _ => return HttpError::NotAnObject,
    };
    const EXPECTED: [(&str, &str); 5] = [
        ("query", "a string"),
        ("documentId", "a string"),
        ("operationName", "a string"),
        ("variables", "an object"),
        ("extensions", "an object"),
    ];
    for (name, expected) in EXPECTED {
        let fits = match object.get(name) {
            None | Some(Value::Null) => true,
            Some(Value::String(_)) => expected == "a string",
            Some(Value::Object(_)) => expected == "an object",
            Some(_) => false,
        };
        if !fits {
            return HttpError::InvalidParameter { name, expected };
        }
    }
    // Valid JSON with well-typed fields that still did not decode: a
    // duplicated key, for instance. serde's message says which.
    HttpError::MalformedJson(error.to_string())
}

/// The parameters of a GET request, as they appear in its query string.
#[derive(Debug, Default, Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
}

/// Decodes the query string of a GET request.
pub fn get_params(query_string: Option<&str>) -> Result<GraphQLRequest, HttpError> {
    let params: GetParams = serde_urlencoded::from_str(query_string.unwrap_or(""))
        .map_err(|error| HttpError::InvalidQueryString(error.to_string()))?;
    Ok(GraphQLRequest {
        query: params.query,
        // The spec: an empty operationName is the same as none.
        operation_name: params.operation_name.filter(|name| !name.is_empty()),
        variables: variables_param(params.variables)?,
        extensions: json_object_param("extensions", params.extensions)?,
        document_id: params.document_id.filter(|id| !id.is_empty()),
    })
}

/// The `variables` parameter, kept as JSON text (the pipeline reads it
/// within its limits); absent, empty or `null` mean none.
fn variables_param(text: Option<String>) -> Result<Option<Box<RawValue>>, HttpError> {
    let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
        return Ok(None);
    };
    let raw = RawValue::from_string(text).map_err(|error| HttpError::InvalidJsonParameter {
        name: "variables",
        reason: error.to_string(),
    })?;
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => Ok(Some(raw)),
        Some(b'n') => Ok(None),
        _ => Err(HttpError::InvalidParameter {
            name: "variables",
            expected: "a JSON-encoded object",
        }),
    }
}

/// A JSON-encoded object parameter; absent, empty or `null` mean none.
fn json_object_param(
    name: &'static str,
    text: Option<String>,
) -> Result<Option<Map<String, Value>>, HttpError> {
    let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
        return Ok(None);
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => Ok(Some(object)),
        Ok(Value::Null) => Ok(None),
        Ok(_) => Err(HttpError::InvalidParameter {
            name,
            expected: "a JSON-encoded object",
        }),
        Err(error) => Err(HttpError::InvalidJsonParameter {
            name,
            reason: error.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_a_full_post_body() {
        let body = br#"{"query":"query Q($id: ID!) { user(id: $id) { name } }","operationName":"Q","variables":{"id":"1"},"extensions":{"x":1}}"#;
        let request = post_body(body).unwrap();
        assert_eq!(
            request.query.as_deref(),
            Some("query Q($id: ID!) { user(id: $id) { name } }")
        );
        assert_eq!(request.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            serde_json::from_str::<Value>(request.variables.unwrap().get()).unwrap(),
            json!({ "id": "1" })
        );
        assert_eq!(
            Value::Object(request.extensions.unwrap()),
            json!({ "x": 1 })
        );
    }

    #[test]
    fn nulls_mean_absent() {
        let request =
            post_body(br#"{"query":"{a}","operationName":null,"variables":null}"#).unwrap();
        assert!(request.operation_name.is_none() && request.variables.is_none());
    }

    #[test]
    fn explains_bad_bodies() {
        assert!(matches!(
            post_body(b"{\"query\":"),
            Err(HttpError::MalformedJson(_))
        ));
        assert!(matches!(
            post_body(b"NONSENSE"),
            Err(HttpError::MalformedJson(_))
        ));
        assert_eq!(post_body(b"[]").unwrap_err(), HttpError::BatchingDisabled);
        assert_eq!(post_body(b"\"{ a }\"").unwrap_err(), HttpError::NotAnObject);
        assert_eq!(
            post_body(br#"{"query": 1}"#).unwrap_err(),
            HttpError::InvalidParameter {
                name: "query",
                expected: "a string"
            }
        );
        assert_eq!(
            post_body(br#"{"query": "{a}", "variables": [7]}"#).unwrap_err(),
            HttpError::InvalidParameter {
                name: "variables",
                expected: "an object"
            }
        );
        assert_eq!(
            post_body(br#"{"query": "{a}", "operationName": {}}"#).unwrap_err(),
            HttpError::InvalidParameter {
                name: "operationName",
                expected: "a string"
            }
        );
        assert!(matches!(
            post_body(br#"{"query": "{a}", "query": "{b}"}"#),
            Err(HttpError::MalformedJson(message)) if message.contains("duplicate field")
        ));
    }

    #[test]
    fn decodes_get_parameters() {
        let request = get_params(Some(
            "query=query%20Q(%24id%3A%20ID!)%7Buser(id%3A%24id)%7Bname%7D%7D&operationName=Q&variables=%7B%22id%22%3A%221%22%7D&extensions=%7B%7D",
        ))
        .unwrap();
        assert_eq!(
            request.query.as_deref(),
            Some("query Q($id: ID!){user(id:$id){name}}")
        );
        assert_eq!(request.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            serde_json::from_str::<Value>(request.variables.unwrap().get()).unwrap(),
            json!({ "id": "1" })
        );
        assert_eq!(request.extensions, Some(Map::new()));
    }

    #[test]
    fn empty_get_parameters_mean_absent() {
        let request = get_params(Some("query=%7Ba%7D&operationName=&variables=")).unwrap();
        assert!(request.operation_name.is_none() && request.variables.is_none());
        assert!(get_params(None).unwrap().query.is_none());
    }

    #[test]
    fn bad_get_variables_are_refused() {
        assert!(matches!(
            get_params(Some("query=%7Ba%7D&variables=%7B")),
            Err(HttpError::InvalidJsonParameter {
                name: "variables",
                ..
            })
        ));
        assert_eq!(
            get_params(Some("query=%7Ba%7D&variables=%5B7%5D")).unwrap_err(),
            HttpError::InvalidParameter {
                name: "variables",
                expected: "a JSON-encoded object"
            }
        );
    }
}
