//! The digest a pushed event is compared by: the central stores it with each event and
//! compares a replay's against it, whatever the JSON formatting of either.

use crate::DeviceEvent;

/// What identifies an event's content whatever its JSON formatting: the first 16 bytes of the
/// SHA-256 of the event as the central serializes it (field order fixed by the type, times in
/// one RFC 3339 form). Two pushes of one event have the same digest; an event with anything
/// changed has another one.
///
/// A handout (nearly every event) is fed to the hash field by field in a fixed binary layout
/// instead, which costs a quarter of serializing it; the layout starts with a tag that no JSON
/// text starts with, so the two forms never meet.
pub fn event_digest(event: &DeviceEvent) -> [u8; 16] {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    // Taken apart field by field, so that a field added to either type fails to compile here
    // instead of silently not counting.
    let DeviceEvent {
        id,
        device_id,
        seq,
        recorded_at,
        payload,
    } = event;
    if let crate::EventPayload::HandoutRecorded { handout } = payload {
        let crate::Handout {
            id: handout_id,
            session_id,
            plan_id,
            item_id,
            quantity,
            handed_out_at,
            over_grant_reason,
        } = handout;
        let time = |t: &chrono::DateTime<chrono::Utc>| {
            let mut b = [0; 12];
            b[..8].copy_from_slice(&t.timestamp().to_le_bytes());
            b[8..].copy_from_slice(&t.timestamp_subsec_nanos().to_le_bytes());
            b
        };
        hasher.update(b"fieldpost handout_recorded v1\0");
        hasher.update(id.0.as_bytes());
        hasher.update(device_id.0.as_bytes());
        hasher.update(seq.to_le_bytes());
        hasher.update(time(recorded_at));
        hasher.update(handout_id.0.as_bytes());
        hasher.update(session_id.0.as_bytes());
        hasher.update(plan_id.0.as_bytes());
        hasher.update(item_id.0.as_bytes());
        hasher.update(quantity.to_le_bytes());
        hasher.update(time(handed_out_at));
        match over_grant_reason {
            None => hasher.update([0]),
            Some(reason) => {
                hasher.update([1]);
                hasher.update((reason.len() as u64).to_le_bytes());
                hasher.update(reason.as_bytes());
            }
        }
    } else {
        // Serializing a DeviceEvent into a hasher cannot fail: every field is a plain value.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), event);
    }
    let full = hasher.finalize();
    let mut digest = [0; 16];
    digest.copy_from_slice(&full[..16]);
    digest
}

struct HashWriter<'a>(&'a mut sha2::Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
