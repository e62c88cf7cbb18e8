//! Escrow arithmetic: how tablets that cannot talk to each other still never jointly hand out
//! more than a plan's allocation.
//!
//! The central splits an approved plan's allocation of each item into per-device grants and
//! keeps `sum(grants) <= allocation` in its own transactions. A device may hand out `q` only
//! while `handed_out + q <= granted - released` for its own grants; since the grants are
//! disjoint, the devices' handouts together stay within the allocation in any order of syncs.
//! Voided handouts give their quantity back.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One device's standing under one plan for one item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EscrowPosition {
    /// Sum of the device's grants.
    pub granted: u64,
    /// Sum of what the device has released back to the central.
    pub released: u64,
    /// Sum of the device's handouts that have not been voided, exceptions included.
    pub handed_out: u64,
}

/// Why a handout or a release does not fit the device's grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EscrowRefusal {
    /// Quantities are at least one.
    #[error("quantity must be at least 1")]
    ZeroQuantity,
    /// More than the grant has left.
    #[error("asked for {requested} but only {available} remain in this device's grant")]
    Exceeds {
        /// What was asked.
        requested: u64,
        /// What is left.
        available: u64,
    },
}

impl EscrowPosition {
    /// What the device may still hand out or release.
    pub fn available(&self) -> u64 {
        self.granted
            .saturating_sub(self.released)
            .saturating_sub(self.handed_out)
    }

    /// May the device hand out `quantity` more without a reason?
    pub fn check_handout(&self, quantity: u64) -> Result<(), EscrowRefusal> {
        self.check_draw(quantity)
    }

    /// May the device give `quantity` back to the central?
    pub fn check_release(&self, quantity: u64) -> Result<(), EscrowRefusal> {
        self.check_draw(quantity)
    }

    fn check_draw(&self, quantity: u64) -> Result<(), EscrowRefusal> {
        if quantity == 0 {
            return Err(EscrowRefusal::ZeroQuantity);
        }
        let available = self.available();
        if quantity > available {
            return Err(EscrowRefusal::Exceeds {
                requested: quantity,
                available,
            });
        }
        Ok(())
    }
}

/// The central's side: may a plan's allocation take another grant of `quantity`, given what
/// it has already granted (net of releases)?
pub fn check_grant(allocation: u64, granted: u64, quantity: u64) -> Result<(), EscrowRefusal> {
    EscrowPosition {
        granted: allocation,
        released: 0,
        handed_out: granted,
    }
    .check_draw(quantity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn handout_within_grant_is_allowed_and_beyond_is_refused() {
        let p = EscrowPosition {
            granted: 10,
            released: 2,
            handed_out: 5,
        };
        assert_eq!(p.available(), 3, "10 granted - 2 released - 5 handed out");
        assert_eq!(p.check_handout(3), Ok(()), "exactly the remainder fits");
        assert_eq!(
            p.check_handout(4),
            Err(EscrowRefusal::Exceeds {
                requested: 4,
                available: 3
            }),
            "one more than the remainder must be refused"
        );
        assert_eq!(
            p.check_handout(0),
            Err(EscrowRefusal::ZeroQuantity),
            "zero is no handout"
        );
    }

    #[test]
    fn over_grant_exceptions_leave_nothing_available() {
        let p = EscrowPosition {
            granted: 5,
            released: 0,
            handed_out: 7,
        };
        assert_eq!(
            p.available(),
            0,
            "exceptions beyond the grant must not underflow"
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Grant { device: usize, q: u64 },
        Release { device: usize, q: u64 },
        Handout { device: usize, q: u64 },
        Void { device: usize, q: u64 },
    }

    fn op(devices: usize) -> impl Strategy<Value = Op> {
        let d = 0..devices;
        prop_oneof![
            (d.clone(), 0..30u64).prop_map(|(device, q)| Op::Grant { device, q }),
            (d.clone(), 0..10u64).prop_map(|(device, q)| Op::Release { device, q }),
            (d.clone(), 0..8u64).prop_map(|(device, q)| Op::Handout { device, q }),
            (d, 0..8u64).prop_map(|(device, q)| Op::Void { device, q }),
        ]
    }

    proptest! {
        /// Devices that each check only their own position never jointly exceed the plan's
        /// allocation, in any interleaving, when the central checks every grant.
        #[test]
        fn devices_never_jointly_exceed_allocation(
            allocation in 0..100u64,
            ops in proptest::collection::vec(op(4), 0..200),
        ) {
            let mut pos = [EscrowPosition::default(); 4];
            for op in ops {
                match op {
                    Op::Grant { device, q } => {
                        let net: u64 = pos.iter().map(|p| p.granted - p.released).sum();
                        if check_grant(allocation, net, q).is_ok() {
                            pos[device].granted += q;
                        }
                    }
                    Op::Release { device, q } => {
                        if pos[device].check_release(q).is_ok() {
                            pos[device].released += q;
                        }
                    }
                    Op::Handout { device, q } => {
                        if pos[device].check_handout(q).is_ok() {
                            pos[device].handed_out += q;
                        }
                    }
                    Op::Void { device, q } => {
                        // A void gives back at most what was handed out.
                        pos[device].handed_out -= q.min(pos[device].handed_out);
                    }
                }
                let handed: u64 = pos.iter().map(|p| p.handed_out).sum();
                let net_granted: u64 = pos.iter().map(|p| p.granted - p.released).sum();
                prop_assert!(net_granted <= allocation, "grants must stay within the allocation");
                prop_assert!(handed <= allocation, "handouts must stay within the allocation");
                for p in &pos {
                    prop_assert!(p.released + p.handed_out <= p.granted,
                        "a device never draws more than its grants");
                }
            }
        }

        /// A refused handout is refused exactly when it would overdraw the grant.
        #[test]
        fn refusal_matches_arithmetic(granted in 0..1000u64, released in 0..1000u64,
                                      handed in 0..1000u64, q in 0..1000u64) {
            let p = EscrowPosition { granted, released, handed_out: handed };
            let fits = q >= 1 && released + handed + q <= granted;
            prop_assert_eq!(p.check_handout(q).is_ok(), fits);
        }
    }
}
