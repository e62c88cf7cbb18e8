//! Rebuild when a migration is added or changed, since they are embedded with include_str!.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/station");
}
