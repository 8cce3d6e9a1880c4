# make install and make uninstall, into a DESTDIR: the binary, the man page
# and the bash completion; and the completion completes.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
make -s install DESTDIR="$T/root" PREFIX=/usr MANDIR=/usr/share/man >/dev/null
for f in usr/bin/enrich usr/share/man/man1/enrich.1 \
    usr/share/bash-completion/completions/enrich; do
	[ -f "$T/root/$f" ] || fail "make install did not install /$f"
done
[ -x "$T/root/usr/bin/enrich" ] || fail "enrich is not executable"
"$T/root/usr/bin/enrich" --version >/dev/null
if command -v bash >/dev/null; then
	got=$(PATH="$T/root/usr/bin:$PATH" bash -c '
	    . "$1"; COMP_WORDS=(enrich --st); COMP_CWORD=1; _enrich
	    echo "${COMPREPLY[*]}"' sh "$T/root/usr/share/bash-completion/completions/enrich")
	assert_eq "$got" "--stall-timeout --stats --stats-json"
fi
make -s uninstall DESTDIR="$T/root" PREFIX=/usr MANDIR=/usr/share/man >/dev/null
[ -z "$(find "$T/root" -type f)" ] || fail "left behind: $(find "$T/root" -type f)"
