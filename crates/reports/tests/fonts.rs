//! The fonts the app ships (`fonts/`): the UI's web fonts and the PDF reports' embedded fonts are
//! the same files, they cover the same characters, and those include every string of the zh-CN UI
//! and the name characters GB 2312 lacks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use storedesk_reports::fonts::{decode, report_fonts};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Name characters outside GB 2312 that people are really called by (喆, 堃, 犇, 昇, 珺, 玥, 垚,
/// 赟, 彧, 祎, 曌, 瑄, 婷 is inside), and Traditional characters of imported product names.
const NAMES: &str = "喆堃犇昇珺玥垚赟彧祎曌瑄琇璟頔玹 臺灣烏龍茶凍頂 李喆 王堃";

/// Every character the zh-CN UI shows, from its translation file.
fn ui_zh_characters() -> BTreeSet<char> {
    let text = std::fs::read_to_string(repo().join("ui/src/i18n/zh-CN.ts")).expect("the zh-CN strings");
    text.chars().filter(|c| !c.is_ascii()).collect()
}

/// The demo store's product names.
fn demo_characters() -> BTreeSet<char> {
    ["demo/catalog.csv", "demo/central-catalog.csv"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(repo().join(f)).expect("the demo catalog").chars().collect::<Vec<_>>()
        })
        .filter(|c| !c.is_ascii())
        .collect()
}

fn required() -> BTreeSet<char> {
    let mut chars = ui_zh_characters();
    chars.extend(demo_characters());
    chars.extend(NAMES.chars().filter(|c| !c.is_whitespace()));
    chars
}

/// One `@font-face` of `fonts/han.css`.
struct Face {
    file: String,
    weight: u16,
    ranges: Vec<(u32, u32)>,
}

fn parse_ranges(text: &str) -> Vec<(u32, u32)> {
    text.split(',')
        .map(|r| {
            let r = r.trim().trim_start_matches("U+");
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            (u32::from_str_radix(a, 16).expect("hex"), u32::from_str_radix(b, 16).expect("hex"))
        })
        .collect()
}

fn css_faces() -> Vec<Face> {
    let css = std::fs::read_to_string(repo().join("fonts/han.css")).expect("fonts/han.css");
    let field = |face: &str, name: &str| -> String {
        let start = face.find(name).unwrap_or_else(|| panic!("{name} in {face}")) + name.len();
        face[start..].split(';').next().expect("a value").trim().to_string()
    };
    css.split("@font-face")
        .skip(1)
        .map(|face| {
            assert!(field(face, "font-family:").contains("\"Storedesk Han\""), "one family for every slice");
            let src = field(face, "src:");
            let file = src.split('"').nth(1).expect("a url").trim_start_matches("./").to_string();
            Face {
                file,
                weight: field(face, "font-weight:").parse().expect("a weight"),
                ranges: parse_ranges(&field(face, "unicode-range:")),
            }
        })
        .collect()
}

/// What the UI can draw with its own font, per weight: a character is looked up in the faces
/// whose unicode-range holds it, the last declared first (CSS Fonts 4, §4.5), until one has it.
fn ui_coverage() -> BTreeMap<u16, BTreeSet<u32>> {
    let mut out: BTreeMap<u16, BTreeSet<u32>> = BTreeMap::new();
    for face in css_faces() {
        let bytes = std::fs::read(repo().join("fonts").join(&face.file)).expect("a font named in han.css");
        let font = decode(&bytes).unwrap_or_else(|| panic!("{} is a WOFF2 font", face.file));
        let held: BTreeSet<u32> = font.info().coverage.iter().collect();
        for (a, b) in &face.ranges {
            out.entry(face.weight).or_default().extend((*a..=*b).filter(|c| held.contains(c)));
        }
        // A range that promises characters the file lacks would make the browser load a slice
        // for nothing; the symbols and common slices are declared exactly.
        if face.file.starts_with("han-symbols-") || face.file.starts_with("han-common-") {
            let declared: BTreeSet<u32> = face.ranges.iter().flat_map(|(a, b)| *a..=*b).collect();
            assert_eq!(declared, held, "{}: unicode-range is the file's characters", face.file);
        }
    }
    out
}

/// What the PDF reports can print, per weight.
fn report_coverage() -> BTreeMap<u16, BTreeSet<u32>> {
    let fonts = report_fonts().expect("the embedded fonts decode");
    let mut out: BTreeMap<u16, BTreeSet<u32>> = BTreeMap::new();
    for font in &fonts.fonts {
        out.entry(font.info().variant.weight.to_number()).or_default().extend(font.info().coverage.iter());
    }
    out
}

#[test]
fn the_ui_and_the_reports_ship_the_same_files() {
    let fonts = report_fonts().expect("the embedded fonts decode");
    let css: BTreeSet<String> = css_faces().into_iter().map(|f| f.file).collect();
    let embedded: BTreeSet<String> = fonts.files.iter().cloned().collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(repo().join("fonts"))
        .expect("fonts/")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".woff2"))
        .collect();
    assert_eq!(css, embedded, "han.css names exactly the files the reports embed");
    assert_eq!(on_disk, embedded, "every font in fonts/ is shipped");
    assert_eq!(fonts.families.len(), fonts.files.len() / 2, "one family per slice, Regular and Bold");
    assert_eq!(
        fonts.families.first().map(String::as_str),
        Some("Storedesk Han Symbols"),
        "Latin comes from the symbols slice"
    );
}

#[test]
fn the_screen_and_the_paper_cover_the_same_characters() {
    let ui = ui_coverage();
    let reports = report_coverage();
    assert_eq!(ui.keys().collect::<Vec<_>>(), vec![&400, &700]);
    for (weight, chars) in &reports {
        let on_screen = &ui[weight];
        let missing: Vec<char> =
            chars.difference(on_screen).filter_map(|c| char::from_u32(*c)).take(10).collect();
        assert!(missing.is_empty(), "weight {weight}: printable but not drawn on screen: {missing:?}");
        let extra: Vec<char> =
            on_screen.difference(chars).filter_map(|c| char::from_u32(*c)).take(10).collect();
        assert!(extra.is_empty(), "weight {weight}: drawn on screen but not printable: {extra:?}");
    }
}

#[test]
fn every_zh_cn_string_and_the_names_gb2312_lacks_are_covered() {
    let required = required();
    assert!(required.len() > 300, "the zh-CN strings were read ({} characters)", required.len());
    for (what, coverage) in [("the UI", ui_coverage()), ("the PDF reports", report_coverage())] {
        for (weight, chars) in &coverage {
            let missing: String = required.iter().filter(|c| !chars.contains(&u32::from(**c))).collect();
            assert!(missing.is_empty(), "{what}, weight {weight}, cannot draw {missing:?}");
        }
    }
}

#[test]
fn every_hanzi_of_the_unified_ideographs_block_is_covered() {
    // The coverage chosen (scripts/make-fonts.sh): all of U+4E00–U+9FFF that Noto Sans CJK SC
    // has, Simplified and Traditional alike. It lacks only the block's last 16 code points
    // (U+9FF0–U+9FFF, added in Unicode 13 and 14).
    for (weight, chars) in report_coverage() {
        let first_gap = (0x4e00..=0x9fef).find(|c| !chars.contains(c));
        assert_eq!(first_gap.and_then(char::from_u32), None, "weight {weight}: every hanzi up to U+9FEF");
    }
}
