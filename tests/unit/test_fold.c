#include <string.h>

#include "check.h"
#include "fold.h"

static int
eq(const char *a, const char *b)
{
	return fold_equal(a, strlen(a), b, strlen(b));
}

int
main(void)
{
	/* Code points: ASCII, Latin-1, the alternating Latin Extended-A,
	 * Greek (final sigma too), Cyrillic, Armenian, Georgian, signs,
	 * fullwidth, Deseret, Adlam; lower case and the rest stay. */
	CHECK(fold_cp('A') == 'a' && fold_cp('z') == 'z' && fold_cp('@') == '@');
	CHECK(fold_cp(0xC9) == 0xE9);		/* É é */
	CHECK(fold_cp(0xD7) == 0xD7);		/* × is no letter */
	CHECK(fold_cp(0xDF) == 0xDF);		/* ß: simple folding keeps it */
	CHECK(fold_cp(0x0100) == 0x0101 && fold_cp(0x0101) == 0x0101);
	CHECK(fold_cp(0x0178) == 0xFF);		/* Ÿ ÿ */
	CHECK(fold_cp(0x017F) == 's');		/* ſ */
	CHECK(fold_cp(0x03A3) == 0x03C3 && fold_cp(0x03C2) == 0x03C3);
	CHECK(fold_cp(0x0416) == 0x0436);	/* Ж ж */
	CHECK(fold_cp(0x0531) == 0x0561);	/* Ա ա */
	CHECK(fold_cp(0x10A0) == 0x2D00);	/* Ⴀ ⴀ */
	CHECK(fold_cp(0x212A) == 'k');		/* Kelvin */
	CHECK(fold_cp(0x2126) == 0x03C9);	/* Ohm */
	CHECK(fold_cp(0xFF21) == 0xFF41);	/* Ａ ａ */
	CHECK(fold_cp(0x10400) == 0x10428);	/* Deseret */
	CHECK(fold_cp(0x1E900) == 0x1E922);	/* Adlam */
	CHECK(fold_cp(0x4E2D) == 0x4E2D);	/* 中 */
	CHECK(fold_cp(0x10FFFF) == 0x10FFFF);

	/* Texts. */
	CHECK(eq("économie", "Économie"));
	CHECK(eq("ΣΟΦΊΑ", "σοφία"));
	CHECK(eq("ΌΣΟΣ", "όσος"));		/* a final sigma */
	CHECK(eq("ДА", "да"));
	CHECK(eq("straße", "STRAßE"));
	CHECK(!eq("straße", "STRASSE"));	/* full folding's, not this */
	CHECK(eq("200 K", "200 \xe2\x84\xaa"));	/* a Kelvin sign */
	CHECK(!eq("a", "ab") && !eq("ab", "a") && eq("", ""));
	CHECK(!eq("é", "e\xcc\x81"));		/* not normalized */
	CHECK(!eq("中文", "中义"));
	/* Bytes that are not UTF-8 equal only themselves. */
	CHECK(eq("\xff", "\xff") && !eq("\xff", "\xfe"));
	CHECK(!eq("\xc3", "\xc3\xa9") && eq("x\xc3", "X\xc3"));
	CHECK(!eq("\xc0\x81", "A") && !eq("\xed\xa0\x80", "\xed\xa0\x81"));
	CHECK(!eq("\xc3\xa9", "\xc3\x89\x80"));
	return check_done("test_fold");
}
