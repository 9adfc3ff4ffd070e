//! The tag-first serializer as a format that counts entries sees it
//! (`serde_test` records the count a map announces; JSON ignores it).

use openapi_client_runtime::bench_support::serialize_tagged;
use serde_test::Token;

/// A map of two entries, one of them the tag key, tagged `kind: dog`.
struct Tagged;

impl serde::Serialize for Tagged {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = std::collections::BTreeMap::new();
        map.insert("kind", "cat");
        map.insert("name", "Tom");
        serialize_tagged(&map, "kind", "dog", serializer)
    }
}

/// It is written as two entries, the tag first; no count is announced,
/// as one more than the map's (three) would be wrong.
#[test]
fn no_wrong_count_is_announced() {
    serde_test::assert_ser_tokens(
        &Tagged,
        &[
            Token::Map { len: None },
            Token::Str("kind"),
            Token::Str("dog"),
            Token::Str("name"),
            Token::Str("Tom"),
            Token::MapEnd,
        ],
    );
}
