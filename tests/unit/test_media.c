#include <stdint.h>
#include <string.h>

#include "media.h"
#include "check.h"

static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	0, 0, 0, 13, 'I', 'H', 'D', 'R',
	0, 0, 0x03, 0xe8, 0, 0, 0x02, 0x58,	/* 1000 x 600 */
	8, 2, 0, 0, 0, 0, 0, 0, 0
};

/* SOI, an APP0 of 16 bytes, then SOF0: 640 x 480. */
static const unsigned char jpeg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1,
	0, 1, 0, 0, 0xff, 0xff, 0xc0, 0, 17, 8, 0x01, 0xe0, 0x02, 0x80, 3
};

static const unsigned char gif[] = "GIF89a\x20\x03\x58\x02";	/* 800x600 */

static unsigned char webp[30];

static void
test_media(void)
{
	uint32_t	 w, h;

	CHECK(media_sniff(png, sizeof(png)) == MEDIA_PNG);
	CHECK(media_sniff(jpeg, sizeof(jpeg)) == MEDIA_JPEG);
	CHECK(media_sniff(gif, sizeof(gif) - 1) == MEDIA_GIF);
	CHECK(media_sniff((const unsigned char *)"%PDF-1.7", 8) ==
	    MEDIA_PDF);
	CHECK(media_sniff((const unsigned char *)"hello, world", 12) ==
	    MEDIA_UNKNOWN);
	CHECK(media_sniff(png, 7) == MEDIA_UNKNOWN);
	CHECK(media_sniff(png, 0) == MEDIA_UNKNOWN);
	CHECK(strcmp(media_type(MEDIA_WEBP), "image/webp") == 0);
	CHECK(media_type(MEDIA_UNKNOWN) == NULL);

	CHECK(media_size(png, sizeof(png), MEDIA_PNG, &w, &h) == 0 &&
	    w == 1000 && h == 600);
	CHECK(media_size(png, 20, MEDIA_PNG, &w, &h) == -1);
	CHECK(media_size(jpeg, sizeof(jpeg), MEDIA_JPEG, &w, &h) ==
	    0 && w == 640 && h == 480);
	/* Cut inside the frame header, or inside the segment before it. */
	CHECK(media_size(jpeg, sizeof(jpeg) - 3, MEDIA_JPEG, &w,
	    &h) == -1);
	CHECK(media_size(jpeg, 12, MEDIA_JPEG, &w, &h) == -1);
	CHECK(media_size(gif, sizeof(gif) - 1, MEDIA_GIF, &w, &h) ==
	    0 && w == 800 && h == 600);

	/* WebP, each of its three headers. */
	memcpy(webp, "RIFF\0\0\0\0WEBPVP8 ", 16);
	memcpy(webp + 23, "\x9d\x01\x2a\x90\x01\x2c\x01", 7);	/* 400x300 */
	CHECK(media_sniff(webp, sizeof(webp)) == MEDIA_WEBP);
	CHECK(media_size(webp, sizeof(webp), MEDIA_WEBP, &w, &h) ==
	    0 && w == 400 && h == 300);
	webp[23] = 0;
	CHECK(media_size(webp, sizeof(webp), MEDIA_WEBP, &w, &h) ==
	    -1);
	memcpy(webp + 12, "VP8L", 4);
	webp[20] = 0x2f;
	/* 14 bits of width - 1 (99), then 14 of height - 1 (49). */
	webp[21] = 99;
	webp[22] = 49 << 6 & 0xff;
	webp[23] = 49 >> 2;
	webp[24] = 0;
	CHECK(media_size(webp, sizeof(webp), MEDIA_WEBP, &w, &h) ==
	    0 && w == 100 && h == 50);
	memcpy(webp + 12, "VP8X", 4);
	memcpy(webp + 24, "\xff\x0f\x00\x7f\x00\x00", 6);	/* 4096x128 */
	CHECK(media_size(webp, sizeof(webp), MEDIA_WEBP, &w, &h) ==
	    0 && w == 4096 && h == 128);
	CHECK(media_size(webp, 29, MEDIA_WEBP, &w, &h) == -1);
	CHECK(media_size(png, sizeof(png), MEDIA_PDF, &w, &h) == -1);

	/* OpenAI's tiles: 1000x600 is 2x2 tiles; 4096x4096 fits 2048,
	 * then 768: 2x2; 2048x1024 becomes 1536x768: 3x2; 512x512 one. */
	CHECK(media_tokens_chat(1000, 600) == 85 + 170 * 4);
	CHECK(media_tokens_chat(4096, 4096) == 85 + 170 * 4);
	CHECK(media_tokens_chat(2048, 1024) == 85 + 170 * 6);
	CHECK(media_tokens_chat(512, 512) == 85 + 170);
	CHECK(media_tokens_chat(1, 100000) == 85 + 170 * 4);
	/* Anthropic's: pixels / 750, the long edge at most 1568. */
	CHECK(media_tokens_messages(1000, 750) == 1000);
	CHECK(media_tokens_messages(3136, 1568) == (1568 * 784 + 749) / 750);
	CHECK(media_tokens_messages(1, 1) == 1);
	/* A sliver scaled down is a pixel high, not none (the fuzzer). */
	CHECK(media_tokens_messages(1048579, 2) == 3);

}

int
main(void)
{
	test_media();
	return check_done("test_media");
}
