//! Rate limits on the endpoints that check secrets (login, OAuth2 token requests): per client IP
//! and per account, so neither one address nor many addresses can guess a password quickly.
//! Limits are per instance (each instance counts on its own).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use pangolin_core::{Error, Result};

/// Attempts allowed per minute (each also the burst); 0 disables that limit.
#[derive(Clone, Copy, Debug)]
pub struct RateLimitSettings {
    /// Attempts per client IP address.
    pub per_ip_per_minute: u32,
    /// Attempts per account (login name or API key id).
    pub per_account_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            per_ip_per_minute: 60,
            per_account_per_minute: 10,
        }
    }
}

/// The limiters.
pub(super) struct RateLimits {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_account: Option<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits").finish_non_exhaustive()
    }
}

impl RateLimits {
    pub(super) fn new(settings: RateLimitSettings) -> Self {
        fn limiter<K: Clone + std::hash::Hash + Eq>(n: u32) -> Option<DefaultKeyedRateLimiter<K>> {
            NonZeroU32::new(n).map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)))
        }
        Self {
            per_ip: limiter(settings.per_ip_per_minute),
            per_account: limiter(settings.per_account_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Counts an attempt from `ip` on `account`; `RateLimited` when either has none left.
    pub(super) fn check(&self, ip: Option<IpAddr>, account: Option<&str>) -> Result<()> {
        let refused = |not_until: governor::NotUntil<_>| Error::RateLimited {
            retry_after_secs: u32::try_from(
                not_until.wait_time_from(self.clock.now()).as_secs() + 1,
            )
            .unwrap_or(u32::MAX),
        };
        if let (Some(limiter), Some(ip)) = (&self.per_ip, ip) {
            limiter.check_key(&ip).map_err(refused)?;
        }
        if let (Some(limiter), Some(account)) = (&self.per_account, account) {
            limiter
                .check_key(&account.to_lowercase())
                .map_err(refused)?;
        }
        Ok(())
    }

    /// Forgets keys whose limits have fully recovered (bounds memory).
    pub(super) fn prune(&self) {
        for limiter in self.per_ip.iter() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        for limiter in self.per_account.iter() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
