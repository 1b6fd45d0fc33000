#!/usr/bin/env bash
# Install the system programs rem needs, if they are missing.
#
#   scripts/install-system-deps.sh          Graphviz (`dot`, draws the ripple maps) and
#                                           the Noto fonts (PDFs: other scripts, emoji)
#   scripts/install-system-deps.sh --test   also Chromium (browser tests), PostgreSQL
#                                           (second test run), the DejaVu fonts and
#                                           poppler-utils (the PDF tests draw pages)
#
# Debian/Ubuntu: apt-get as root, or `sudo apt-get` when sudo works without a password.
# macOS: Homebrew. Otherwise the script prints the exact command to run yourself.
# It prints nothing when everything is already there. With CI set, anything it could
# not install is an error; elsewhere it is a warning (the tests then skip what needs it).
set -euo pipefail

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "$0"
}

with_test=0
for arg in "$@"; do
    case "$arg" in
        --test) with_test=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install-system-deps: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

in_ci() { [[ -n "${CI:-}" && "${CI:-}" != "false" && "${CI:-}" != "0" ]]; }
say() { printf 'install-system-deps: %s\n' "$*" >&2; }

have_dot() { command -v dot >/dev/null 2>&1; }

have_chromium() {
    [[ -x /usr/bin/chromium ]] && return 0
    [[ "$(uname -s)" == Darwin && -x /Applications/Chromium.app/Contents/MacOS/Chromium ]]
}

have_postgres() {
    local bin
    for bin in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$bin" ]] && return 0
    done
    command -v initdb >/dev/null 2>&1 && return 0
    command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]] && return 0
    if [[ "$(uname -s)" == Darwin ]] && command -v brew >/dev/null 2>&1; then
        local prefix
        prefix="$(brew --prefix postgresql@15 2>/dev/null || true)"
        [[ -n "$prefix" && -x "$prefix/bin/initdb" ]] && return 0
    fi
    return 1
}

have_fonts() {
    [[ "$(uname -s)" == Darwin ]] && return 0  # macOS ships its own fonts
    [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] && return 0
    command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -i 'DejaVu Sans' >/dev/null
}

# The PDFs (WeasyPrint) print in DejaVu Sans and fall back on Noto for what it lacks:
# other scripts (fonts-noto-core), Chinese, Japanese and Korean (fonts-noto-cjk) and
# colour emoji (fonts-noto-color-emoji). Without them those characters print as boxes.
have_font() {
    [[ "$(uname -s)" == Darwin ]] && return 0  # macOS ships fonts for these (see README)
    command -v fc-list >/dev/null 2>&1 || return 1
    # (grep reads everything: with -q it would stop early, fc-list die of SIGPIPE, and
    # pipefail call the font missing)
    fc-list : family 2>/dev/null | grep -i "^$1" >/dev/null
}

# The PDF tests draw the pages with Poppler (pdftoppm, pdffonts).
have_poppler() { command -v pdftoppm >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1; }

# WeasyPrint (PDFs of packs, session reports and reviews) uses Pango, which Graphviz brings
# in, and HarfBuzz's subsetter for fonts; without it WeasyPrint warns (and will stop working).
have_harfbuzz_subset() {
    [[ "$(uname -s)" == Darwin ]] && return 0  # Homebrew's pango brings harfbuzz whole
    command -v ldconfig >/dev/null 2>&1 || return 0
    ldconfig -p 2>/dev/null | grep 'libharfbuzz-subset\.so\.0' >/dev/null
}

# `python3 -m venv` needs ensurepip, which Debian and Ubuntu ship separately.
have_venv() {
    command -v python3 >/dev/null 2>&1 || return 0  # not ours to fix; make will say so
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}

install_macos() {
    local formulae=() casks=()
    have_dot || formulae+=(graphviz)
    if ((with_test)); then
        have_poppler || formulae+=(poppler)
        have_postgres || formulae+=(postgresql@15)
        have_chromium || casks+=(chromium)
    fi
    ((${#formulae[@]} + ${#casks[@]})) || return 0
    if ! command -v brew >/dev/null 2>&1; then
        say "missing: ${formulae[*]:-} ${casks[*]:-}"
        say "install Homebrew (https://brew.sh), then run:"
        ((${#formulae[@]})) && say "    brew install ${formulae[*]}"
        ((${#casks[@]})) && say "    brew install --cask ${casks[*]}"
        return 1
    fi
    if ((${#formulae[@]})); then brew install --quiet "${formulae[@]}" || return 1; fi
    if ((${#casks[@]})); then brew install --quiet --cask "${casks[@]}" || return 1; fi
    return 0
}

install_debian() {
    local packages=()
    have_dot || packages+=(graphviz)
    have_venv || packages+=(python3-venv)
    have_harfbuzz_subset || packages+=(libharfbuzz-subset0)
    have_font "Noto Sans Arabic" || packages+=(fonts-noto-core)
    have_font "Noto Sans CJK" || packages+=(fonts-noto-cjk)
    have_font "Noto Color Emoji" || packages+=(fonts-noto-color-emoji)
    if ((with_test)); then
        have_poppler || packages+=(poppler-utils)
        have_chromium || packages+=(chromium)
        have_postgres || packages+=(postgresql)
        have_fonts || packages+=(fonts-dejavu-core)
    fi
    ((${#packages[@]})) || return 0

    local command="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
    local -a sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            say "missing: ${packages[*]}"
            say "please run this (as root, or with sudo in front of each apt-get):"
            say "    sudo apt-get update && sudo apt-get install -y ${packages[*]}"
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing: ${packages[*]}; this is not a Debian/Ubuntu system, so install"
        say "them with your package manager (Graphviz, Noto fonts, Chromium, PostgreSQL,"
        say "DejaVu fonts, Poppler)."
        return 1
    fi
    say "installing ${packages[*]} (${sudo[*]:+${sudo[*]} }$command)"
    # (set -e does not apply inside a function called with ||, hence the explicit returns)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends -o Dpkg::Use-Pty=0 "${packages[@]}" >/dev/null || return 1
    if [[ " ${packages[*]} " == *" chromium "* && ! -x /usr/bin/chromium ]]; then
        say "note: this system's 'chromium' package did not provide /usr/bin/chromium"
        say "(on Ubuntu it is a snap). The browser tests look for /usr/bin/chromium or \$REM_CHROMIUM."
    fi
}

status=0
case "$(uname -s)" in
    Darwin) install_macos || status=$? ;;
    *) install_debian || status=$? ;;
esac

# Say plainly what is still missing, and make it an error in CI.
still_missing=()
have_dot || still_missing+=("Graphviz (dot): ripple maps cannot be drawn")
have_font "Noto Sans Arabic" || still_missing+=("fonts-noto-core: PDFs print other scripts as boxes")
have_font "Noto Sans CJK" || still_missing+=("fonts-noto-cjk: PDFs print Chinese, Japanese and Korean as boxes")
have_font "Noto Color Emoji" || still_missing+=("fonts-noto-color-emoji: PDFs print emoji as boxes")
if ((with_test)); then
    have_poppler || still_missing+=("poppler-utils (pdftoppm): the PDF page tests will fail in CI, be skipped elsewhere")
    have_chromium || still_missing+=("Chromium: browser tests will be skipped")
    have_postgres || still_missing+=("PostgreSQL: the PostgreSQL test run will be skipped")
    have_fonts || still_missing+=("DejaVu fonts: screenshots and maps may lack glyphs")
fi
if ((${#still_missing[@]})); then
    for what in "${still_missing[@]}"; do say "STILL MISSING: $what"; done
    if in_ci; then
        say "ERROR: CI is set, so every system dependency must be installed."
        exit 1
    fi
fi
# A failed installation attempt is an error; a missing program we could not install
# is only a warning outside CI, so `make run` and `make test` can go on without it.
if ((status != 0)) && in_ci; then exit "$status"; fi
exit 0
