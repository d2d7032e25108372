//! The demo dataset shared by the four subgraphs: users, products, stock and reviews.
//!
//! It reproduces the data behind the public gateways benchmark, so that its heavy query,
//! resolved across our subgraphs, gives back `tests/fixtures/heavy_response.json` exactly.
//! That answer has two quirks we keep on purpose:
//! - every review is written by user 1 (`urigo`), yet every user lists reviews 1 and 2 as
//!   their own ([`USER_REVIEW_IDS`]);
//! - no product of the benchmark (upc 1 to 5) has a shipping estimate: in that answer the
//!   estimate is always null. Here those products are pickup only ([`StockRow::delivered`]);
//!   products 6 and 7 exist beyond the benchmark's five so that an estimate can be seen.

/// A user as the accounts subgraph knows it.
pub(crate) struct UserRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) username: &'static str,
    /// Seconds since the Unix epoch.
    pub(crate) birthday: i32,
    /// Personal data (made up), which the accounts subgraph marks `@pii`.
    pub(crate) email: &'static str,
    pub(crate) phone: &'static str,
}

/// A product as the products subgraph knows it.
pub(crate) struct ProductRow {
    pub(crate) upc: &'static str,
    pub(crate) name: &'static str,
    pub(crate) price: i32,
    pub(crate) weight: i32,
}

/// What the inventory subgraph knows of a product.
pub(crate) struct StockRow {
    pub(crate) upc: &'static str,
    pub(crate) in_stock: bool,
    /// Whether the shop delivers the product; a product it does not deliver (pickup only)
    /// has no shipping estimate.
    pub(crate) delivered: bool,
}

/// A review as the reviews subgraph knows it.
pub(crate) struct ReviewRow {
    pub(crate) id: &'static str,
    pub(crate) body: &'static str,
    pub(crate) product_upc: &'static str,
    pub(crate) author_id: &'static str,
}

pub(crate) const USERS: [UserRow; 6] = [
    user(
        ("1", "Uri Goldshtein", "urigo", 428_112_000),
        ("urigo@example.com", "+49 151 2345 6701"),
    ),
    user(
        ("2", "Dotan Simha", "dotansimha", 501_465_600),
        ("dotansimha@example.com", "+49 151 2345 6702"),
    ),
    user(
        ("3", "Kamil Kisiela", "kamilkisiela", 640_224_000),
        ("kamilkisiela@example.com", "+48 512 345 603"),
    ),
    user(
        ("4", "Arda Tanrikulu", "ardatan", 827_971_200),
        ("ardatan@example.com", "+90 532 345 6704"),
    ),
    user(
        ("5", "Gil Gardosh", "gilgardosh", 696_643_200),
        ("gilgardosh@example.com", "+972 52 345 6705"),
    ),
    user(
        ("6", "Laurin Quast", "laurin", 756_518_400),
        ("laurin@example.com", "+49 170 2345 6706"),
    ),
];

/// The user `me` resolves to.
pub(crate) const ME_ID: &str = "1";

pub(crate) const PRODUCTS: [ProductRow; 7] = [
    product("1", "Table", 899, 100),
    product("2", "Couch", 1299, 1000),
    product("3", "Glass", 15, 20),
    product("4", "Chair", 499, 100),
    product("5", "TV", 1299, 1000),
    product("6", "Lamp", 4999, 300),
    product("7", "Shelf", 250, 400),
];

pub(crate) const STOCK: [StockRow; 7] = [
    stock("1", true, false),
    stock("2", false, false),
    stock("3", false, false),
    stock("4", false, false),
    stock("5", true, false),
    stock("6", true, true),
    stock("7", false, true),
];

const LOREM: &str = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";
const SED_UT: &str = "Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi";
const SED_QUIA: &str = "sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.";
const UT_ENIM: &str = "Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem";
const AT_VERO: &str = "At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.";

pub(crate) const REVIEWS: [ReviewRow; 11] = [
    review("1", LOREM, "1"),
    review("2", SED_UT, "1"),
    review("3", SED_QUIA, "1"),
    review("4", UT_ENIM, "1"),
    review("5", LOREM, "2"),
    review("6", SED_UT, "2"),
    review("7", SED_QUIA, "2"),
    review("8", UT_ENIM, "2"),
    review("9", UT_ENIM, "3"),
    review("10", UT_ENIM, "4"),
    review("11", AT_VERO, "4"),
];

/// The reviews every user lists as theirs, whoever wrote them (the benchmark's quirk).
pub(crate) const USER_REVIEW_IDS: [&str; 2] = ["1", "2"];

pub(crate) fn find_user(id: &str) -> Option<&'static UserRow> {
    USERS.iter().find(|user| user.id == id)
}

pub(crate) fn find_product(upc: &str) -> Option<&'static ProductRow> {
    PRODUCTS.iter().find(|product| product.upc == upc)
}

pub(crate) fn find_stock(upc: &str) -> Option<&'static StockRow> {
    STOCK.iter().find(|stock| stock.upc == upc)
}

pub(crate) fn find_review(id: &str) -> Option<&'static ReviewRow> {
    REVIEWS.iter().find(|review| review.id == id)
}

const fn user(
    (id, name, username, birthday): (&'static str, &'static str, &'static str, i32),
    (email, phone): (&'static str, &'static str),
) -> UserRow {
    UserRow {
        id,
        name,
        username,
        birthday,
        email,
        phone,
    }
}

const fn product(upc: &'static str, name: &'static str, price: i32, weight: i32) -> ProductRow {
    ProductRow {
        upc,
        name,
        price,
        weight,
    }
}

const fn stock(upc: &'static str, in_stock: bool, delivered: bool) -> StockRow {
    StockRow {
        upc,
        in_stock,
        delivered,
    }
}

/// Every review of the benchmark is written by user 1.
const fn review(id: &'static str, body: &'static str, product_upc: &'static str) -> ReviewRow {
    ReviewRow {
        id,
        body,
        product_upc,
        author_id: "1",
    }
}
