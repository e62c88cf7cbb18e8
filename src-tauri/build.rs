//! `tauri::generate_context!` embeds `ui/dist` at compile time; refuse clearly (instead of
//! with a macro error) when the UI has not been built, and rebuild when it changes.

use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    if !dist.join("index.html").exists() {
        // cargo prints a build script's panic message as the build error.
        panic!(
            "ui/dist/index.html is missing: build the UI first (`cargo xtask setup` or \
             `npm --prefix ui ci && npm --prefix ui run build`)"
        );
    }
    tauri_build::build();
}
