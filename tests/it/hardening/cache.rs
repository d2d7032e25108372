//! The operation cache is bounded by (estimated) bytes, not entries: many
//! distinct operations never take more than the budget, and one heavier
//! than the per-entry limit is not cached at all.

use junction::pipeline::{Gateway, GatewaySettings};

use crate::common::DEMO_SUPERGRAPH;

/// A distinct valid query over the demo schema, `fields` aliased fields wide.
fn query(id: usize, fields: usize) -> String {
    let selections: String = (0..fields).map(|i| format!("q{id}_{i}: name ")).collect();
    format!("{{ topProducts {{ {selections} }} }}")
}

fn gateway(max_bytes: u64, max_entry_bytes: u64) -> Gateway {
    let settings = GatewaySettings {
        cache_max_bytes: max_bytes,
        cache_max_entry_bytes: max_entry_bytes,
        ..GatewaySettings::default()
    };
    let gateway = Gateway::new(settings);
    gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    gateway
}

#[test]
fn many_distinct_operations_stay_within_the_cache_budget() {
    let budget = 1024 * 1024;
    let gateway = gateway(budget, budget);
    for id in 0..100 {
        gateway.explain(&query(id, 50), None, false).unwrap();
        assert!(gateway.operation_cache_bytes() <= budget);
    }
    assert!(
        gateway.operation_cache_bytes() > budget / 2,
        "the cache is in use: {}",
        gateway.operation_cache_bytes()
    );
}

#[test]
fn an_operation_heavier_than_the_entry_limit_is_not_cached() {
    let gateway = gateway(64 * 1024 * 1024, 64 * 1024);
    gateway.explain(&query(0, 5), None, false).unwrap();
    let small = gateway.operation_cache_bytes();
    assert!(small > 0 && small < 64 * 1024, "{small}");
    gateway.explain(&query(1, 250), None, false).unwrap();
    assert_eq!(gateway.operation_cache_bytes(), small, "not cached");
}

/// Concurrent cache misses for the same operation prepare and plan it once:
/// the other callers wait for that one computation and share its result.
#[test]
fn concurrent_misses_for_one_operation_prepare_it_once() {
    let gateway = std::sync::Arc::new(gateway(64 * 1024 * 1024, 64 * 1024 * 1024));
    let text = query(7, 200);
    let start = std::sync::Arc::new(std::sync::Barrier::new(8));
    let callers: Vec<_> = (0..8)
        .map(|_| {
            let (gateway, text, start) = (gateway.clone(), text.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                gateway.explain(&text, None, false)
            })
        })
        .collect();
    let plans: Vec<String> = callers
        .into_iter()
        .map(|caller| caller.join().unwrap().unwrap())
        .collect();
    assert!(plans.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(gateway.operations_prepared(), 1);
}
