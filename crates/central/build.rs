//! `sqlx::migrate!` embeds `migrations/central-*` at compile time: rebuild when they change
//! (a new migration file is not a change cargo sees on its own).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
