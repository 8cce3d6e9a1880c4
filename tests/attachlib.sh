# Sourced by the -a tests: files for rows to attach, made here, and what
# the mock must answer for each row (its text, and each file's length and
# CRC-32 as the mock decoded it: mock_json.c).
#
# attach_make N [every] [bytes]: in the current directory, img/N.png for
# rows 1..N, each a valid PNG of its own (its row number in a tEXt chunk
# and in its pixels; with bytes, padded to about that size by a chunk of
# random bytes), and every every-th row also doc/N.pdf; "in" holds the
# rows ({"id","photo"}: a path, or [png, pdf] as an array) and "want"
# for each row the answer to -p 'photo {{id}}': "id<TAB>answer".
attach_make() {
	python3 - "$@" <<'PY'
import os, struct, sys, zlib
n = int(sys.argv[1])
every = int(sys.argv[2]) if len(sys.argv) > 2 else 7
pad = int(sys.argv[3]) if len(sys.argv) > 3 else 0

def chunk(t, d):
    return (struct.pack('>I', len(d)) + t + d +
            struct.pack('>I', zlib.crc32(t + d) & 0xffffffff))

def png(i):
    w, h = 8 + i % 5, 4
    raw = b''.join(b'\0' + bytes([i % 256, i // 256 % 256, 7]) * w
                   for _ in range(h))
    out = (b'\x89PNG\r\n\x1a\n' +
           chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
           chunk(b'tEXt', b'row\0' + str(i).encode()))
    if pad:
        out += chunk(b'zzPd', os.urandom(pad))
    return out + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')

def pdf(i):
    body = ('%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
            '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n'
            '%% row %d\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' % i)
    return body.encode()

def mark(b):
    return '%d %08x' % (len(b), zlib.crc32(b))

os.makedirs('img', exist_ok=True)
os.makedirs('doc', exist_ok=True)
with open('in', 'w') as fin, open('want', 'w') as fw:
    for i in range(1, n + 1):
        p = png(i)
        open('img/%d.png' % i, 'wb').write(p)
        want = 'photo %d <image/png %s>' % (i, mark(p))
        if every and i % every == 0:
            d = pdf(i)
            open('doc/%d.pdf' % i, 'wb').write(d)
            fin.write('{"id":%d,"photo":["img/%d.png","doc/%d.pdf"]}\n'
                      % (i, i, i))
            want += ' <application/pdf %s>' % mark(d)
        else:
            fin.write('{"id":%d,"photo":"img/%d.png"}\n' % (i, i))
        fw.write('%d\t%s\n' % (i, want))
PY
}

# attach_check OUT: every row of want answered with exactly its own
# files' hashes; prints nothing, fails the test otherwise.
attach_check() {
	jq -r 'select(.answer != null) | "\(.id)\t\(.answer)"' "$1" |
	    sort -n >"$T/got"
	sort -n want >"$T/want.sorted"
	cmp -s "$T/got" "$T/want.sorted" || fail "answers differ from the \
files' bytes: $(diff "$T/want.sorted" "$T/got" | head -5)"
}
