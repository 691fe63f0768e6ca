//! The fonts the PDF reports embed: the same files the desktop UI loads as web fonts
//! (`fonts/`, made by `scripts/make-fonts.sh`), so that a name that shows on screen also prints.
//!
//! They are slices of Noto Sans CJK SC, Regular and Bold: `symbols` (Latin, Greek, Cyrillic,
//! punctuation, currency, box drawing, ...), `common` (CJK punctuation, kana, full-width forms,
//! the GB 2312 level 1 hanzi) and twelve more holding every other hanzi of CJK Unified Ideographs
//! (U+4E00–U+9FFF). Each slice is its own family (`Storedesk Han Common`, ...); the template
//! lists them in this order and typst takes each character from the first family that has it. A
//! character none of them holds is drawn as the font's missing-glyph box, as the screen draws it
//! on a machine with no system font for it.
//!
//! They are WOFF2 (Brotli-compressed; what the UI loads), decoded once per process.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::Font;

macro_rules! slice {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fonts/han-", $name, "-400.woff2"))
                .as_slice(),
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fonts/han-", $name, "-700.woff2"))
                .as_slice(),
        )
    };
}

/// Every slice as (name, Regular, Bold), in the order characters are looked up.
pub const SLICES: [(&str, &[u8], &[u8]); 14] = [
    slice!("symbols"),
    slice!("common"),
    slice!("01"),
    slice!("02"),
    slice!("03"),
    slice!("04"),
    slice!("05"),
    slice!("06"),
    slice!("07"),
    slice!("08"),
    slice!("09"),
    slice!("10"),
    slice!("11"),
    slice!("12"),
];

/// The decoded fonts, the file each came from (`han-common-400.woff2`), and their families in
/// lookup order.
pub struct ReportFonts {
    pub fonts: Vec<Font>,
    pub files: Vec<String>,
    pub families: Vec<String>,
}

/// The embedded fonts, decoded on first use. An error means a file in `fonts/` is not a font
/// this program can read (a build from a damaged checkout), and says which.
pub fn report_fonts() -> Result<&'static ReportFonts, String> {
    static FONTS: OnceLock<Result<ReportFonts, String>> = OnceLock::new();
    FONTS.get_or_init(decode_all).as_ref().map_err(Clone::clone)
}

fn decode_all() -> Result<ReportFonts, String> {
    let mut fonts = Vec::with_capacity(SLICES.len() * 2);
    let mut files = Vec::with_capacity(SLICES.len() * 2);
    let mut families = Vec::with_capacity(SLICES.len());
    for (name, regular, bold) in SLICES {
        for (weight, woff2) in [("400", regular), ("700", bold)] {
            let file = format!("han-{name}-{weight}.woff2");
            let font = decode(woff2).ok_or_else(|| format!("the embedded font {file} cannot be read"))?;
            let family = font.info().family.clone();
            if !families.contains(&family) {
                families.push(family);
            }
            fonts.push(font);
            files.push(file);
        }
    }
    Ok(ReportFonts { fonts, files, families })
}

/// One WOFF2 file as a font typst can lay out with.
pub fn decode(woff2: &[u8]) -> Option<Font> {
    let sfnt = wuff::decompress_woff2(woff2).ok()?;
    Font::new(Bytes::new(sfnt), 0)
}
