//! Rankings and recommendation lists: `audit-ranking`.

pub mod variants;
