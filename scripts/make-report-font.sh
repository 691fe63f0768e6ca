#!/usr/bin/env bash
# Makes the font the PDF reports embed: Noto Sans CJK SC (SIL Open Font License 1.1), cut down to
# Latin, punctuation, the currency signs and the 6,763 hanzi of GB 2312, so that 简体中文 product
# names render on any machine while the repository stays small. Needs Debian's fonts-noto-cjk and
# fonttools (pip install fonttools). The result is committed; run this only to change the subset.
set -euo pipefail
cd "$(dirname "$0")/.."
out=crates/reports/fonts
chars=$(mktemp)
python3 - "$chars" <<'PY'
import sys
cps = set(range(0x20, 0x7f)) | set(range(0xa0, 0x180)) | set(range(0x2000, 0x2070)) | set(range(0x20a0, 0x20c0))
cps |= set(range(0x3000, 0x3040)) | set(range(0xff00, 0xfff0))
for hi in range(0xb0, 0xf8):          # GB 2312 level 1 and 2 hanzi rows
    for lo in range(0xa1, 0xff):
        try:
            cps.add(ord(bytes([hi, lo]).decode('gb2312')))
        except UnicodeDecodeError:
            pass
for hi in range(0xa1, 0xaa):          # GB 2312 symbols and punctuation rows
    for lo in range(0xa1, 0xff):
        try:
            cps.add(ord(bytes([hi, lo]).decode('gb2312')))
        except UnicodeDecodeError:
            pass
open(sys.argv[1], 'w').write(','.join(f'U+{c:04X}' for c in sorted(cps)))
PY
for weight in Regular Bold; do
  pyftsubset "/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" --font-number=2 \
    --unicodes-file=<(tr ',' '\n' < "$chars") --layout-features='*' --no-hinting --desubroutinize \
    --output-file="$out/NotoSansSC-$weight-subset.otf"
done
rm -f "$chars"
ls -la "$out"
