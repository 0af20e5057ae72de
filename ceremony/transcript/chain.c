/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/chain.c - the hash chain (docs/transcript-format.md
 * section 2, `prev`), in one function both the writer and the verifier call,
 * and the SHA-256 of the public things a transcript records (files, public
 * keys). libcrypto only: no PKCS#11 (the auditor's ceremony-verify links it).
 */
#include "ceremony/transcript/format.h"
#include "common/err.h"
#include "common/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <string.h>
#include <unistd.h>

/* The latest OpenSSL error, the one closest to what failed here, as the
 * detail. (The writer names a pkcs11-provider failure by its CKR instead:
 * what is hashed here is public and in the default provider.) */
static int chain_ossl_fail(const char *what)
{
	unsigned long e, last = 0;
	char buf[256];

	while ((e = ERR_get_error()) != 0)
		last = e;
	buf[0] = '\0';
	if (last != 0)
		ERR_error_string_n(last, buf, sizeof(buf));
	ERR_clear_error();
	return ce_err_set(CE_ERR_CRYPTO, "%s failed%s%s", what, buf[0] ? ": " : "", buf);
}

int transcript_chain_init(struct transcript_chain *c)
{
	int r = CE_ERR_INTERNAL;

	memset(c, 0, sizeof(*c));
	c->md = EVP_MD_CTX_new();
	/* Fetched once: an implicit fetch per line costs more than the hash. */
	c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (c->md == NULL || c->sha256 == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "transcript chain: out of memory for SHA-256");
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		transcript_chain_free(c);
	return r;
}

void transcript_chain_free(struct transcript_chain *c)
{
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	c->md = NULL;
	c->sha256 = NULL;
}

int transcript_chain_link(struct transcript_chain *c, const char *line, size_t len,
			  char out[TRANSCRIPT_HASH_HEX_LEN + 1])
{
	uint8_t h[32];
	unsigned int hl = 0;

	/* The line's bytes only: the newline is not part of the link. */
	if (EVP_DigestInit_ex(c->md, c->sha256, NULL) != 1 || EVP_DigestUpdate(c->md, line, len) != 1 ||
	    EVP_DigestFinal_ex(c->md, h, &hl) != 1 || hl != 32)
		return ce_err_set(CE_ERR_CRYPTO, "SHA-256 failed");
	hex_encode(h, 32, out);
	return 0;
}

int transcript_file_sha256(const char *path, uint8_t out[32], uint64_t *size)
{
	int r = CE_ERR_INTERNAL;
	EVP_MD_CTX *md = NULL;
	int fd = -1;
	uint8_t buf[65536];
	uint64_t total = 0;
	unsigned int hl = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = ce_err_set(CE_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		r = chain_ossl_fail("SHA-256");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ce_err_set(CE_ERR_IO, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
			r = chain_ossl_fail("SHA-256");
			goto out;
		}
		total += (uint64_t)n;
	}
	if (EVP_DigestFinal_ex(md, out, &hl) != 1 || hl != 32) {
		r = chain_ossl_fail("SHA-256");
		goto out;
	}
	if (size != NULL)
		*size = total;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return r;
}

int transcript_spki_sha256(EVP_PKEY *key, uint8_t out[32])
{
	int r = CE_ERR_INTERNAL;
	unsigned char *der = NULL;
	int n;

	n = i2d_PUBKEY(key, &der);
	if (n <= 0) {
		r = chain_ossl_fail("encoding the public key");
		goto out;
	}
	if (EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL) != 1) {
		r = chain_ossl_fail("SHA-256");
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(der);
	return r;
}
