//! Demo federation subgraphs: accounts, products, inventory, reviews.
