#![allow(clippy::unwrap_used)]

use super::*;

fn settings() -> RateLimitSettings {
    let tier = |requests: Option<&str>, cost: Option<&str>| Tier {
        requests: requests.map(|r| r.parse().unwrap()),
        cost: cost.map(|c| c.parse().unwrap()),
    };
    RateLimitSettings {
        tiers: BTreeMap::from([
            ("anonymous".to_string(), tier(Some("2/1m"), None)),
            ("free".to_string(), tier(Some("3/1m"), Some("100/1m"))),
            ("enterprise".to_string(), tier(None, None)),
        ]),
        default_tier: Some("free".into()),
        anonymous_tier: Some("anonymous".into()),
        per_ip: Some("5/1m".parse().unwrap()),
        store_timeout: Duration::from_millis(50),
        ..RateLimitSettings::default()
    }
}

fn subject<'a>(caller: Option<&str>, tier: Option<&'a str>, ip: &str) -> Subject<'a> {
    Subject {
        caller: caller.map(str::to_string),
        tier,
        ip: Some(ip.parse().unwrap()),
    }
}

async fn passes(limiter: &RateLimiter, who: &Subject<'_>, cost: u32) -> bool {
    limiter.check(who, cost).await.is_ok()
}

#[tokio::test(start_paused = true)]
async fn anonymous_callers_are_limited_by_address_in_the_anonymous_tier() {
    let limiter = RateLimiter::new(settings(), None);
    let a = subject(None, None, "198.51.100.1");
    assert!(passes(&limiter, &a, 0).await && passes(&limiter, &a, 0).await);
    let refused = limiter.check(&a, 0).await.unwrap_err();
    assert_eq!(refused.by, "requests");
    assert_eq!(refused.retry_after, Some(Duration::from_secs(30)));
    let b = subject(None, None, "198.51.100.2");
    assert!(passes(&limiter, &b, 0).await, "another address has its own");
    assert_eq!(limiter.refused(), 1);
}

#[tokio::test(start_paused = true)]
async fn identified_callers_get_their_tier_or_the_default_one() {
    let limiter = RateLimiter::new(settings(), None);
    let unknown_tier = subject(Some("user:ada"), Some("platinum"), "198.51.100.1");
    for _ in 0..3 {
        assert!(passes(&limiter, &unknown_tier, 1).await);
    }
    assert!(
        !passes(&limiter, &unknown_tier, 1).await,
        "free: 3 a minute"
    );
    let enterprise = subject(Some("api_key:k1"), Some("enterprise"), "198.51.100.9");
    for _ in 0..5 {
        assert!(passes(&limiter, &enterprise, 1_000_000).await);
    }
    // Unlimited by its tier, still held to the per-address bound.
    let refused = limiter.check(&enterprise, 1).await.unwrap_err();
    assert_eq!(refused.by, "ip");
}

#[tokio::test(start_paused = true)]
async fn costs_spend_the_budget_and_what_can_never_fit_says_so() {
    let limiter = RateLimiter::new(settings(), None);
    let ada = subject(Some("user:ada"), Some("free"), "198.51.100.1");
    let states = limiter.check(&ada, 60).await.unwrap();
    let cost = states.iter().find(|s| s.name == "cost").unwrap();
    assert_eq!(cost.remaining, 40);
    let refused = limiter.check(&ada, 41).await.unwrap_err();
    assert_eq!(refused.by, "cost");
    assert!(refused.retry_after.is_some());
    let never = limiter.check(&ada, 101).await.unwrap_err();
    assert_eq!((never.by, never.retry_after), ("cost", None));
    // A second of budget back: 100 per minute is one every 0.6 s.
    tokio::time::advance(Duration::from_millis(600)).await;
    assert!(passes(&limiter, &ada, 1).await);
}

#[tokio::test(start_paused = true)]
async fn nothing_configured_limits_nothing_and_asks_no_store() {
    let limiter = RateLimiter::new(RateLimitSettings::default(), None);
    assert!(!limiter.settings().is_enabled());
    let who = subject(None, None, "198.51.100.1");
    for _ in 0..100 {
        assert_eq!(limiter.check(&who, 1000).await.unwrap(), Vec::new());
    }
}

#[tokio::test(start_paused = true)]
async fn overrides_replace_a_callers_tier_or_limits() {
    let limiter = RateLimiter::new(settings(), None);
    let ada = subject(Some("user:ada"), Some("free"), "198.51.100.1");
    let bob = subject(Some("user:bob"), Some("free"), "198.51.100.2");
    limiter.apply_overrides(BTreeMap::from([
        (
            "user:ada".to_string(),
            Override {
                requests: Some("1/1m".parse().unwrap()),
                ..Override::default()
            },
        ),
        (
            "user:bob".to_string(),
            Override {
                tier: Some("enterprise".into()),
                ..Override::default()
            },
        ),
    ]));
    assert!(passes(&limiter, &ada, 0).await);
    assert!(!passes(&limiter, &ada, 0).await, "its own rate");
    let (who, tier, limits) = limiter.limits_of(&ada).unwrap();
    assert_eq!((who.as_str(), tier.as_deref()), ("user:ada", Some("free")));
    assert_eq!(
        limits.cost,
        Some("100/1m".parse().unwrap()),
        "the tier's budget stays"
    );
    let (_, tier, limits) = limiter.limits_of(&bob).unwrap();
    assert_eq!(
        (tier.as_deref(), limits),
        (Some("enterprise"), Tier::default())
    );
    let usage = limiter.usage(&ada).await;
    let requests = usage.iter().find(|s| s.name == "requests").unwrap();
    assert_eq!(requests.remaining, 0);
    assert_eq!(limiter.usage(&ada).await, usage, "reading spends nothing");
}
