//! Rebuild when a central migration is added: they are embedded with `include_str!`.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations/central");
}
