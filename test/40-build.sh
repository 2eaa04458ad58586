#!/usr/bin/env bash
# The build and the documents: a static binary, byte-identical rebuilds (also from
# another directory), warnings as errors, the tool under ASan/UBSan through the CLI
# and host suites, and man page, --help and README in step.
set -u
cd "$TOP" || exit 1
mkdir -p build
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# static: no program interpreter, no dynamic section
if LC_ALL=C readelf -l "$MP" | grep -q INTERP || LC_ALL=C readelf -d "$MP" 2>&1 | grep -q NEEDED; then
  echo "FAIL static binary: $MP has an interpreter or needs libraries"
else
  echo "PASS static binary ($(stat -c %s "$MP") bytes)"
fi
if LC_ALL=C readelf -S "$MP" | grep -q '\.symtab\|\.debug'; then
  echo "FAIL stripped: $MP has symbols"
else
  echo "PASS stripped"
fi

# reproducible: the same bytes twice, and from a copy of the tree elsewhere
OUT="$tmp/a" WERROR=1 ./build.sh && OUT="$tmp/b" WERROR=1 ./build.sh
mkdir -p "$tmp/elsewhere/src"
cp -- $(./build.sh sources) *.h build.sh "$tmp/elsewhere/src/"
(cd "$tmp/elsewhere/src" && OUT="$tmp/c" WERROR=1 ./build.sh)
if cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/a" "$tmp/c"; then
  echo "PASS reproducible: two builds and a build from another directory are identical"
else
  echo "FAIL reproducible: builds differ ($(sha256sum "$tmp/a" "$tmp/b" "$tmp/c" | cut -c1-16 | tr '\n' ' '))"
fi
if grep -aq "$TOP\|$tmp" "$tmp/a"; then
  echo "FAIL no build paths inside"; else echo "PASS no build paths inside"; fi

# a relative OUT is the caller's (not the source tree's)
mkdir -p "$tmp/cwd"
(cd "$tmp/cwd" && OUT=rel-mp WERROR=1 "$TOP/build.sh")
if cmp -s "$tmp/cwd/rel-mp" "$tmp/a" && [ ! -e "$TOP/rel-mp" ]; then
  echo "PASS a relative OUT is taken from the caller's directory"
else
  echo "FAIL a relative OUT: $( [ -e "$TOP/rel-mp" ] && echo "written into the source tree" || echo "not written in the caller's directory")"
fi
rm -f "$TOP/rel-mp"

# install: PREFIX and DESTDIR, into a temporary root
DESTDIR=$tmp/root PREFIX=/usr WERROR=1 ./build.sh install 2>"$tmp/inst.log"; rc=$?
b=$tmp/root/usr/bin/migratepages m=$tmp/root/usr/share/man/man8/migratepages.8
if [ $rc = 0 ] && cmp -s "$b" "$tmp/a" && [ "$(stat -c %a "$b")" = 755 ] && cmp -s "$m" man/migratepages.8 &&
   [ "$(stat -c %a "$m")" = 644 ] && [ "$(cd "$tmp/root" && find . -type f | sort | tr '\n' ' ')" = "./usr/bin/migratepages ./usr/share/man/man8/migratepages.8 " ]; then
  echo "PASS install: DESTDIR=… PREFIX=/usr puts the binary (755) in usr/bin and the man page (644) in usr/share/man/man8, nothing else"
else
  echo "FAIL install with PREFIX=/usr: exit $rc, $(cd "$tmp/root" 2>/dev/null && find . -type f | tr '\n' ' ') $(head -2 "$tmp/inst.log")"
fi
DESTDIR=$tmp/root2 WERROR=1 ./build.sh install 2>/dev/null
if [ -x "$tmp/root2/usr/local/bin/migratepages" ] && [ -f "$tmp/root2/usr/local/share/man/man8/migratepages.8" ]; then
  echo "PASS install: PREFIX defaults to /usr/local"
else
  echo "FAIL install: no /usr/local/bin/migratepages under DESTDIR with the default PREFIX"
fi
if ! command -v man >/dev/null 2>&1; then
  echo "SKIP install: man finds the page: no man (Debian package man-db)"
elif [ "$(MANPATH=$tmp/root/usr/share/man man -w migratepages 2>&1)" = "$m" ]; then
  echo "PASS install: man finds the installed page"
else
  echo "FAIL install: man -w gives '$(MANPATH=$tmp/root/usr/share/man man -w migratepages 2>&1)', not $m"
fi

# warnings are errors, with gcc and glibc too (a second compiler and libc)
if gcc -std=c11 -Wall -Wextra -Werror -O2 -o "$tmp/glibc" $(./build.sh sources) 2>"$tmp/w"; then
  echo "PASS -Wall -Wextra -Werror with gcc and glibc"
else
  echo "FAIL -Wall -Wextra -Werror with gcc and glibc: $(head -3 "$tmp/w")"
fi

# the tool itself under AddressSanitizer and UndefinedBehaviorSanitizer
if gcc -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
     -Wall -Wextra -Werror -o build/migratepages-san $(./build.sh sources) 2>"$tmp/w"; then
  # A check that fails with the plain binary too is the plain suite's failure,
  # counted there: here only what fails under the sanitizers alone counts (names
  # compared with their numbers blanked, as pids differ; the plain run only when
  # something failed). No binary bytes: the suites' output goes through cat -v.
  names() { sed -n "s/^$1 \([^:]*\).*/\1/p" | sed 's/[0-9][0-9]*/N/g' | sort -u; }
  for s in 20-cli 30-host 31-mover 32-devices 33-real 34-pipeline 35-tier 36-refusals; do
    out=$(MP=$TOP/build/migratepages-san MP_SANITIZED=1 ASAN_OPTIONS=detect_leaks=0 "test/$s.sh" 2>&1 | cat -v)
    plain=
    grep -q '^FAIL' <<<"$out" && plain=$(MP_SANITIZED=1 "test/$s.sh" 2>&1 | cat -v)
    pass=$(grep -c '^PASS' <<<"$out")
    new=$(comm -23 <(names FAIL <<<"$out") <(names FAIL <<<"$plain"))
    san=$(grep 'runtime error\|AddressSanitizer' <<<"$out")
    known=$(names FAIL <<<"$plain" | grep -c .)
    if [ -z "$new" ] && [ -z "$san" ] && [ "$pass" -gt 0 ]; then
      echo "PASS $s under ASan/UBSan ($pass checks$( [ "$known" = 0 ] || echo "; $known failing with the plain binary too, counted by $s itself"))"
    else
      echo "FAIL $s under ASan/UBSan: $(grep -c . <<<"$new") checks fail only under the sanitizers${san:+, sanitizer reports}"
      # (indented: these lines are detail, not more failures)
      { grep '^FAIL' <<<"$out" | while IFS= read -r l; do
          grep -qxF -- "$(names FAIL <<<"$l")" <<<"$new" && echo "$l"; done; echo "$san"; } | grep . | head -5 | sed 's/^/    /'
    fi
  done
else
  echo "SKIP the tool under ASan/UBSan: gcc cannot build with sanitizers ($(head -1 "$tmp/w"))"
fi

# the man page
if command -v mandoc >/dev/null; then
  if lint=$(mandoc -T lint -W warning man/migratepages.8 2>&1) && [ -z "$lint" ]; then
    echo "PASS man page lints clean (mandoc -T lint)"
  else
    echo "FAIL man page lint: $(head -3 <<<"$lint")"
  fi
  text=$(MANWIDTH=80 mandoc -T utf8 man/migratepages.8 | col -b)
  for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "NODE LISTS" "EXIT STATUS" ENVIRONMENT FILES PERMISSIONS EXAMPLES COMPATIBILITY "SEE ALSO"; do
    grep -q "^$sec\$" <<<"$text" && echo "PASS man page has $sec" || echo "FAIL man page lacks $sec"
  done
else
  echo "SKIP man page lint: no mandoc"
fi

# --help, man page and README name the same options; the versions agree
help=$("$MP" --help)
for o in $(grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z]*' <<<"$help" | tr -d ' ,' | sort -u); do
  grep -q -- "$(sed 's/-/\\\\-/g' <<<"$o")" man/migratepages.8 && grep -q -- "$o" README.md \
    && echo "PASS $o is in the man page and README" || echo "FAIL $o from --help is missing from the man page or README"
done
for o in $(sed -n '/^\.SH OPTIONS/,/^\.SH NODE LISTS/p' man/migratepages.8 | grep -oE '^\.B[IR]? \\-\\-[a-z-]+|^\.BR \\-[a-zA-Z] ' | grep -oE '\\-\\-[a-z-]+|\\-[a-zA-Z]' | sed 's/\\//g' | sort -u); do
  grep -q -- "$o" <<<"$help" && echo "PASS man page option $o is in --help" || echo "FAIL man page option $o is not in --help"
done
v=$("$MP" --version | awk '{print $2}')
grep -q "\"migratepages $v\"" man/migratepages.8 && echo "PASS man page version is $v" \
  || echo "FAIL man page version differs from --version ($v)"
# the device forms of node lists: --help, man page (NODE LISTS) and README name each
for f in netdev: pci: block: file: ip:; do
  grep -q -- "$f" <<<"$help" && sed -n '/^\.SH NODE LISTS/,/^\.SH EXIT STATUS/p' man/migratepages.8 | grep -q "^\.BI $f" &&
    grep -q -- "\`$f" README.md && echo "PASS device form $f is in --help, the man page and README" ||
    echo "FAIL device form $f is missing from --help, the man page (NODE LISTS) or README"
done
