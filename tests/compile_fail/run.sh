#!/usr/bin/env bash
# run.sh CC INCLUDE_DIR SNIPPET: compiles SNIPPET against corm's headers. The snippet's
# "expect:" comment says what must happen: "expect: OK" (it compiles), or an extended regular
# expression the compiler's error must match (the snippet misuses the API and must not compile).
set -uo pipefail
cc=$1 inc=$2 file=$3
expect=$(sed -n 's/.*expect: \(.*\) \*\/.*/\1/p' "$file" | head -n 1)
[ -n "$expect" ] || { echo "$file: no 'expect:' comment"; exit 2; }
out=$("$cc" -std=c11 -fsyntax-only -Wall -Wextra -I "$inc" "$file" 2>&1)
rc=$?
if [ "$expect" = OK ]; then
	[ $rc -eq 0 ] && { echo "compiles, as it must"; exit 0; }
	echo "$file must compile but does not:"; echo "$out"; exit 1
fi
if [ $rc -eq 0 ]; then
	echo "$file compiled, but it misuses the API and must be refused (expected: $expect)"
	exit 1
fi
if ! grep -Eq -- "$expect" <<<"$out"; then
	echo "$file was refused, but not for the expected reason ($expect):"; echo "$out"; exit 1
fi
echo "refused, as it must be: $(grep -E -m1 -- "$expect" <<<"$out")"
