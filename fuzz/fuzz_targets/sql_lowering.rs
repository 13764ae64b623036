//! Fuzz SQL parsing and lowering (and the Rayfall rendering and encoding of the result):
//! any text gives a query or a typed error, never a panic or a stack overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rayforce_client::query::SqlQuery;

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let q = SqlQuery::new(sql).bind(1).bind("x");
    if let Ok(tree) = q.compile() {
        let _ = rayforce_client::wire::encode(&tree);
        let _ = tree.to_rayfall();
    }
});
