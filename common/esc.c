/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/esc.c - the one escaping rule for untrusted text on a terminal
 * (common/esc.h).
 */
#include "common/esc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 character at s (RFC 3629 table 3-7:
 * no overlong form, no surrogate, nothing above U+10FFFF), or 0. */
static size_t esc_utf8_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	*cp = s[0] & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
	for (i = 1; i < n; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xBF))
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3Fu);
	}
	return n;
}

/* Code points that steer a terminal or reorder what is shown. */
static int esc_cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The text for the character at s: *olen bytes in out. Returns the number
 * of input bytes it stands for (at least 1). */
static size_t esc_one(const unsigned char *s, size_t len, char out[ESC_CHAR_MAX_LEN + 1],
		      size_t *olen)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t n;

	if (s[0] == '\\') {
		memcpy(out, "\\\\", 2);
		*olen = 2;
		return 1;
	}
	if (s[0] >= 0x20 && s[0] < 0x7F) {
		out[0] = (char)s[0];
		*olen = 1;
		return 1;
	}
	n = s[0] >= 0x80 ? esc_utf8_len(s, len, &cp) : 0;
	if (n == 0) { /* a C0 control, DEL, or a byte outside well-formed UTF-8 */
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hex[s[0] >> 4];
		out[3] = hex[s[0] & 0xF];
		*olen = 4;
		return 1;
	}
	if (esc_cp_hidden(cp)) {
		out[0] = '\\';
		out[1] = 'u';
		out[2] = hex[(cp >> 12) & 0xF];
		out[3] = hex[(cp >> 8) & 0xF];
		out[4] = hex[(cp >> 4) & 0xF];
		out[5] = hex[cp & 0xF];
		*olen = 6;
		return n;
	}
	memcpy(out, s, n);
	*olen = n;
	return n;
}

size_t esc_mem(char *dst, size_t cap, const void *src, size_t len)
{
	const unsigned char *s = src;
	char one[ESC_CHAR_MAX_LEN + 1];
	size_t i = 0, o = 0, n, olen;

	if (cap == 0)
		return 0;
	while (i < len) {
		n = esc_one(s + i, len - i, one, &olen);
		if (o + olen > cap - 1)
			break;
		memcpy(dst + o, one, olen);
		o += olen;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

const char *esc_str(char *dst, size_t cap, const char *src)
{
	if (src == NULL)
		src = "(null)";
	esc_mem(dst, cap, src, strlen(src));
	return dst;
}

int esc_write(FILE *f, const void *src, size_t len)
{
	const unsigned char *s = src;
	char one[ESC_CHAR_MAX_LEN + 1];
	size_t i = 0, total = 0, n, olen;

	while (i < len) {
		n = esc_one(s + i, len - i, one, &olen);
		if (fwrite(one, 1, olen, f) != olen)
			return -1;
		total += olen;
		i += n;
	}
	return total > INT32_MAX ? -1 : (int)total;
}

/* Bytes esc_write would write for src[0..len). */
static size_t esc_len(const unsigned char *s, size_t len)
{
	char one[ESC_CHAR_MAX_LEN + 1];
	size_t i = 0, total = 0, olen;

	while (i < len) {
		i += esc_one(s + i, len - i, one, &olen);
		total += olen;
	}
	return total;
}

/* One conversion specification, as read from the format. */
struct esc_spec {
	char text[48]; /* "%-12.3lld": handed to fprintf for numbers */
	int left, width, prec;
	char len[3];
	char conv;
};

/* Read the specification at fmt (just after '%'); returns its length or 0
 * when it is not one esc_vfprintf knows. Widths and precisions given as
 * '*' are taken from ap. */
static size_t esc_spec_read(const char *fmt, struct esc_spec *sp, va_list *ap)
{
	const char *p = fmt;
	size_t n = 0, l;

	memset(sp, 0, sizeof(*sp));
	sp->width = -1;
	sp->prec = -1;
	sp->text[n++] = '%';
	while (*p != '\0' && strchr("-+ #0", *p) != NULL) {
		sp->left |= *p == '-';
		p++;
	}
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		p++;
	} else {
		for (sp->width = *p >= '0' && *p <= '9' ? 0 : -1; *p >= '0' && *p <= '9'; p++)
			sp->width = sp->width * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			p++;
		} else {
			for (sp->prec = 0; *p >= '0' && *p <= '9'; p++)
				sp->prec = sp->prec * 10 + (*p - '0');
		}
	}
	for (l = 0; l < 2 && *p != '\0' && strchr("hljztL", *p) != NULL; l++)
		sp->len[l] = *p++;
	if (*p == '\0' || strchr("diouxXcspeEfFgGaA%", *p) == NULL)
		return 0;
	sp->conv = *p++;
	if ((sp->conv == 's' || sp->conv == 'c') && sp->len[0] != '\0')
		return 0; /* wide characters: not ours to print */
	/* the flags as written; width and precision resolved */
	l = strspn(fmt, "-+ #0");
	if (l + 24 > sizeof(sp->text))
		return 0;
	memcpy(sp->text + n, fmt, l);
	n += l;
	if (sp->width >= 0)
		n += (size_t)snprintf(sp->text + n, sizeof(sp->text) - n, "%d", sp->width);
	if (sp->prec >= 0)
		n += (size_t)snprintf(sp->text + n, sizeof(sp->text) - n, ".%d", sp->prec);
	n += (size_t)snprintf(sp->text + n, sizeof(sp->text) - n, "%s%c", sp->len, sp->conv);
	if (n >= sizeof(sp->text))
		return 0;
	return (size_t)(p - fmt);
}

/* Bytes of s a %s with precision prec shows: a UTF-8 character the
 * precision would cut is left out whole. */
static size_t esc_prec_len(const char *s, int prec)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, k;

	if (prec < 0)
		return strlen(s);
	n = strnlen(s, (size_t)prec);
	if (u[n] == '\0' || (u[n] & 0xC0) != 0x80)
		return n; /* not cut, or cut between characters */
	for (k = 1; k <= 3 && k <= n; k++)
		if (u[n - k] >= 0xC0)
			return n - k; /* the lead byte of the cut character */
	return n;
}

/* A %s or %c: the argument's bytes escaped, padded to the width. */
static int esc_put_text(FILE *f, const struct esc_spec *sp, const unsigned char *s, size_t len)
{
	size_t w = esc_len(s, len), pad = sp->width > 0 && (size_t)sp->width > w ?
						   (size_t)sp->width - w : 0;
	size_t i;

	for (i = 0; !sp->left && i < pad; i++)
		if (fputc(' ', f) == EOF)
			return -1;
	if (esc_write(f, s, len) < 0)
		return -1;
	for (i = 0; sp->left && i < pad; i++)
		if (fputc(' ', f) == EOF)
			return -1;
	return (int)(w + pad);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* A number or pointer: the argument of the type the length modifier names,
 * printed by fprintf with the specification as written (the format was
 * checked by the compiler against the arguments: esc.h's attribute). */
static int esc_put_number(FILE *f, const struct esc_spec *sp, va_list *ap)
{
	const char *l = sp->len;

	if (sp->conv == 'p')
		return fprintf(f, sp->text, va_arg(*ap, void *));
	if (strchr("eEfFgGaA", sp->conv) != NULL)
		return l[0] == 'L' ? fprintf(f, sp->text, va_arg(*ap, long double)) :
				     fprintf(f, sp->text, va_arg(*ap, double));
	if (sp->conv == 'd' || sp->conv == 'i') {
		if (strcmp(l, "ll") == 0)
			return fprintf(f, sp->text, va_arg(*ap, long long));
		if (l[0] == 'l')
			return fprintf(f, sp->text, va_arg(*ap, long));
		if (l[0] == 'j')
			return fprintf(f, sp->text, va_arg(*ap, intmax_t));
		if (l[0] == 'z' || l[0] == 't')
			return fprintf(f, sp->text, va_arg(*ap, ptrdiff_t));
		return fprintf(f, sp->text, va_arg(*ap, int));
	}
	if (strcmp(l, "ll") == 0)
		return fprintf(f, sp->text, va_arg(*ap, unsigned long long));
	if (l[0] == 'l')
		return fprintf(f, sp->text, va_arg(*ap, unsigned long));
	if (l[0] == 'j')
		return fprintf(f, sp->text, va_arg(*ap, uintmax_t));
	if (l[0] == 'z' || l[0] == 't')
		return fprintf(f, sp->text, va_arg(*ap, size_t));
	return fprintf(f, sp->text, va_arg(*ap, unsigned int));
}
#pragma GCC diagnostic pop

int esc_vfprintf(FILE *f, const char *fmt, va_list ap0)
{
	struct esc_spec sp;
	va_list ap;
	size_t lit, n;
	long total = 0;
	int k = 0;

	va_copy(ap, ap0);
	while (*fmt != '\0' && k >= 0) {
		lit = strcspn(fmt, "%");
		if (lit > 0) {
			k = fwrite(fmt, 1, lit, f) == lit ? (int)lit : -1;
			fmt += lit;
		} else if ((n = esc_spec_read(fmt + 1, &sp, &ap)) == 0) {
			k = -1;
		} else {
			fmt += 1 + n;
			if (sp.conv == '%') {
				k = fputc('%', f) == EOF ? -1 : 1;
			} else if (sp.conv == 's') {
				const char *s = va_arg(ap, const char *);

				if (s == NULL)
					s = "(null)";
				k = esc_put_text(f, &sp, (const unsigned char *)s,
						 esc_prec_len(s, sp.prec));
			} else if (sp.conv == 'c') {
				unsigned char c = (unsigned char)va_arg(ap, int);

				k = esc_put_text(f, &sp, &c, 1);
			} else {
				k = esc_put_number(f, &sp, &ap);
			}
		}
		total += k;
	}
	va_end(ap);
	return k < 0 || total > INT32_MAX ? -1 : (int)total;
}

int esc_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = esc_vfprintf(f, fmt, ap);
	va_end(ap);
	return k;
}
