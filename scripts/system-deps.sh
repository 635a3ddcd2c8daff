#!/usr/bin/env bash
# Installs the system packages Tongban needs where they are missing: a CJK TrueType font (PDF documents),
# Debian's chromium and npm (browser tests). Uses apt-get when run as root (or with passwordless sudo).
set -euo pipefail
missing=()
[[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]] || missing+=(fonts-wqy-zenhei)
# AR PL UKai: a 楷体 body face for notices (closest free face to 仿宋); Zen Hei alone also works.
[[ -e /usr/share/fonts/truetype/arphic/ukai.ttc ]] || missing+=(fonts-arphic-ukai)
# poppler-utils: pdftoppm renders notices to PNG (looking at them; a test scans the printed page's QR code).
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
# npm installs axe-core, the browser tests' accessibility checker (scripts/browser-deps.sh).
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ ${#missing[@]} -eq 0 ]] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "请安装系统软件包 (please install): ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "缺少系统软件包 (missing system packages): ${missing[*]} — 请运行: sudo apt-get install -y ${missing[*]}" >&2
    exit 0
  fi
fi
echo "→ 安装系统软件包 (installing): ${missing[*]}"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
