//! The child of the crash test: records handouts one transaction each, forever, printing each
//! handout's id only after its commit returned — what the UI would have confirmed. The test
//! SIGKILLs it mid-loop.

use std::io::Write;

use fieldpost_station::handouts::HandoutInput;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: handout-loop DB"))?;
    let (mut station, seeded) = fieldpost_tests::enrolled_station(path.as_ref(), u32::MAX)?;
    let session = station.open_session(seeded.plan.id, "压力测试站", &[])?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    loop {
        let handout = station.record_handout(&HandoutInput {
            session_id: session.id,
            item_id: seeded.mask.id,
            quantity: 1,
            over_grant_reason: None,
        })?;
        writeln!(out, "{}", handout.id)?;
        out.flush()?;
    }
}
