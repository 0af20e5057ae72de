/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/transcript/transcript.c - the writer and signer: appends events
 * (each one checked by the reader's own transcript_event_check and chained by
 * transcript_chain_link, ceremony/transcript/format.h) and signs the closed
 * file, possibly with an HSM key (pkcs11-provider: failures named by CKR).
 */
#include "ceremony/transcript/transcript.h"
#include "ceremony/transcript/fingerprint.h"
#include "ceremony/transcript/tjson.h"
#include "ceremony/version.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/outfile.h"
#include "pkcs11/x509/ossl.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Writer.
 */

struct transcript {
	int fd;
	int sync;
	int broken;
	int closed;
	char *path;
	uint64_t seq;
	int64_t last_sec;
	long last_usec;
	char prev[TRANSCRIPT_HASH_HEX_LEN + 1];
	struct transcript_chain chain; /* the link of each written line */
	int (*now)(struct timespec *ts);
	struct tj_doc doc; /* the written line parsed back for the format check */
	/* held lines (transcript_hold): kept in memory, not yet written */
	int holding;
	char *held;
	size_t held_len;
	struct {
		uint64_t seq;
		int64_t last_sec;
		long last_usec;
		char prev[TRANSCRIPT_HASH_HEX_LEN + 1];
	} before_hold;
};

int transcript_open(const char *path, struct transcript **out)
{
	int r = CE_ERR_INTERNAL;
	struct transcript *t = NULL;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory opening the transcript", path);
		goto out;
	}
	t->fd = -1;
	t->sync = 1;
	t->path = strdup(path);
	if (t->path == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory opening the transcript", path);
		goto out;
	}
	r = transcript_chain_init(&t->chain);
	if (r < 0)
		goto out;
	memcpy(t->prev, TRANSCRIPT_GENESIS_PREV, sizeof(t->prev));
	r = tj_init(&t->doc, TRANSCRIPT_LINE_MAX_BYTES);
	if (r < 0)
		goto out;
	/* policy 4.4.4: the log is readable by authorised staff only. */
	t->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
	if (t->fd < 0) {
		r = ce_err_set(errno == EEXIST ? CE_ERR_EXISTS : CE_ERR_IO,
			       "%s: cannot create transcript: %s", path, strerror(errno));
		goto out;
	}
	r = outfile_sync_dir(path);
	if (r < 0)
		goto out;
	*out = t;
	t = NULL; /* transferred */
	r = 0;
out:
	transcript_free(t);
	return r;
}

void transcript_set_clock(struct transcript *t, int (*now)(struct timespec *ts))
{
	t->now = now;
}

void transcript_set_sync(struct transcript *t, int sync)
{
	t->sync = sync;
}

const char *transcript_path(const struct transcript *t)
{
	return t->path;
}

uint64_t transcript_next_seq(const struct transcript *t)
{
	return t->seq;
}

/* write(2) all of buf, then fsync (when syncing); the transcript is broken
 * on failure. */
static int fd_write_all(struct transcript *t, const char *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

	while (left > 0) {
		ssize_t n = write(t->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			t->broken = 1;
			return ce_err_set(CE_ERR_IO, "%s: write: %s", t->path,
					  n < 0 ? strerror(errno) : "short write");
		}
		p += n;
		left -= (size_t)n;
	}
	if (t->sync && fsync(t->fd) != 0) {
		t->broken = 1;
		return ce_err_set(CE_ERR_IO, "%s: fsync: %s", t->path, strerror(errno));
	}
	return 0;
}

static int write_line(struct transcript *t, const char *type, const char *step, json_t *persons,
		      json_t *witnesses, json_t *details, int64_t sec, long usec)
{
	int r = CE_ERR_INTERNAL;
	json_t *ev = NULL;
	json_t *empty_p = NULL, *empty_w = NULL, *empty_d = NULL;
	char *line = NULL;
	char tbuf[TRANSCRIPT_TIME_LEN + 1];
	char why[256];
	size_t len;

	if (persons == NULL)
		persons = empty_p = json_array();
	if (witnesses == NULL)
		witnesses = empty_w = json_array();
	if (details == NULL)
		details = empty_d = json_object();
	if (persons == NULL || witnesses == NULL || details == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "transcript: out of memory building event %s", type);
		goto out;
	}
	transcript_time_format(sec, usec, tbuf);
	ev = json_object();
	if (ev == NULL || json_object_set_new(ev, "v", json_integer(TRANSCRIPT_VERSION)) != 0 ||
	    json_object_set_new(ev, "seq", json_integer((json_int_t)t->seq)) != 0 ||
	    json_object_set_new(ev, "time", json_string(tbuf)) != 0 ||
	    json_object_set_new(ev, "type", json_string(type)) != 0 ||
	    json_object_set_new(ev, "step", step != NULL ? json_string(step) : json_null()) != 0 ||
	    json_object_set(ev, "persons", persons) != 0 ||
	    json_object_set(ev, "witnesses", witnesses) != 0 ||
	    json_object_set(ev, "details", details) != 0 ||
	    json_object_set_new(ev, "prev", json_string(t->prev)) != 0) {
		r = ce_err_set(CE_ERR_INVALID, "transcript: %s: cannot build the event (bad UTF-8?)",
			       type);
		goto out;
	}
	line = json_dumps(ev, TRANSCRIPT_JSON_FLAGS);
	if (line == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "transcript: out of memory encoding event %s", type);
		goto out;
	}
	len = strlen(line);
	if (len > TRANSCRIPT_LINE_MAX_BYTES) {
		r = ce_err_set(CE_ERR_TOO_LARGE, "transcript: %s event is %zu bytes (at most %d)",
			       type, len, TRANSCRIPT_LINE_MAX_BYTES);
		goto out;
	}
	/* The verifier's own check, on the very bytes about to be written. */
	r = tj_parse(&t->doc, line, len, why, sizeof(why));
	if (r == CE_ERR_NOMEM) {
		r = ce_err_set(r, "transcript: %s event: %s", type, why);
		goto out;
	}
	if (r == 0)
		r = transcript_event_check(&t->doc, why, sizeof(why));
	if (r < 0) {
		r = ce_err_set(CE_ERR_INVALID, "transcript: %s", why);
		goto out;
	}
	/* Linked before the newline goes on, by the verifier's own function. */
	r = transcript_chain_link(&t->chain, line, len, why);
	if (r < 0)
		goto out;
	line[len] = '\n'; /* json_dumps' NUL; the buffer holds len+1 bytes */
	if (t->holding) {
		char *h = realloc(t->held, t->held_len + len + 1);

		if (h == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "transcript: out of memory holding event %s", type);
			goto out;
		}
		memcpy(h + t->held_len, line, len + 1);
		t->held = h;
		t->held_len += len + 1;
		goto linked;
	}
	r = fd_write_all(t, line, len + 1);
	if (r < 0)
		goto out;
linked:
	memcpy(t->prev, why, sizeof(t->prev));
	t->seq++;
	t->last_sec = sec;
	t->last_usec = usec;
	r = 0;
out:
	free(line);
	json_decref(ev);
	json_decref(empty_p);
	json_decref(empty_w);
	json_decref(empty_d);
	return r;
}

int transcript_append(struct transcript *t, const char *type, const char *step, json_t *persons,
		      json_t *witnesses, json_t *details)
{
	int r = CE_ERR_INTERNAL;
	struct timespec ts;
	int64_t sec;
	long usec;
	json_t *held = NULL;

	if (t == NULL || t->closed || t->broken || t->fd < 0) {
		r = ce_err_set(CE_ERR_STATE, "transcript: not open for writing");
		goto out;
	}
	if ((t->now != NULL ? t->now(&ts) : clock_gettime(CLOCK_REALTIME, &ts)) != 0) {
		r = ce_err_set(CE_ERR_IO, "transcript: clock_gettime: %s", strerror(errno));
		goto out;
	}
	sec = (int64_t)ts.tv_sec;
	usec = ts.tv_nsec / 1000;
	if (t->seq > 0 && (sec < t->last_sec || (sec == t->last_sec && usec < t->last_usec))) {
		/* The clock went back: never write a time that goes back; say so. */
		char obs[TRANSCRIPT_TIME_LEN + 1];

		transcript_time_format(sec, usec, obs);
		held = json_pack("{s:s}", "observed", obs);
		if (held == NULL) {
			r = ce_err_set(CE_ERR_NOMEM, "transcript: out of memory for the clock.held event");
			goto out;
		}
		sec = t->last_sec;
		usec = t->last_usec;
		r = write_line(t, "clock.held", NULL, NULL, NULL, held, sec, usec);
		if (r < 0)
			goto out;
	}
	r = write_line(t, type, step, persons, witnesses, details, sec, usec);
	if (r < 0)
		goto out;
	r = 0;
out:
	json_decref(held);
	return r;
}

int transcript_close(struct transcript *t)
{
	int r = CE_ERR_INTERNAL;

	if (t->closed) {
		r = 0;
		goto out;
	}
	t->closed = 1;
	if (t->fd >= 0 && fsync(t->fd) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: fsync: %s", t->path, strerror(errno));
		close(t->fd);
		t->fd = -1;
		goto out;
	}
	if (t->fd >= 0 && close(t->fd) != 0) {
		t->fd = -1;
		r = ce_err_set(CE_ERR_IO, "%s: close: %s", t->path, strerror(errno));
		goto out;
	}
	t->fd = -1;
	r = 0;
out:
	return r;
}

void transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	transcript_chain_free(&t->chain);
	tj_free(&t->doc);
	free(t->held);
	free(t->path);
	free(t);
}

/* ---------------------------------------------------------------------------
 * Signature.
 */

static int crypto_fail(const char *what)
{
	unsigned long e, last = 0;
	const char *lib;
	int flags;

	/* A PKCS#11 failure under OpenSSL (the transcript key signing through
	 * pkcs11-provider) is named by its CKR (p11_ossl_err); otherwise the
	 * latest OpenSSL error, the one closest to what failed here. */
	while ((e = ERR_peek_error_all(NULL, NULL, NULL, NULL, &flags)) != 0) {
		lib = ERR_lib_error_string(e);
		if (lib != NULL && strcmp(lib, "pkcs11") == 0) {
			return p11_ossl_err(CE_ERR_CRYPTO, "%s failed", what);
		}
		last = e;
		(void)ERR_get_error(); /* the oldest left is the next one looked at */
	}
	{
		char buf[256];

		buf[0] = '\0';
		if (last != 0)
			ERR_error_string_n(last, buf, sizeof(buf));
		ERR_clear_error();
		return ce_err_set(CE_ERR_CRYPTO, "%s failed%s%s", what, buf[0] ? ": " : "", buf);
	}
}

/* CMS over content (memory), PEM-encoded into *pem (heap, NUL-terminated),
 * read back and verified in software against cert over the same bytes.
 * key: a software key (CMS_sign); tk: a token key (p11_ossl_cms_sign: the
 * provider, or our own SignedData over CKM_RSA_PKCS/CKM_ECDSA when the
 * token lacks hash-and-sign; docs/pkcs11.md "Signing"). */
static int cms_sign_mem(const char *what, const char *content, size_t len, EVP_PKEY *key,
			const struct p11_ossl_key *tk, X509 *cert, char **pem, size_t *pem_len)
{
	BIO *in = NULL, *mem = NULL, *pb = NULL, *again = NULL;
	CMS_ContentInfo *cms = NULL, *back = NULL;
	STACK_OF(X509) *signers = NULL;
	char *p = NULL;
	long pl;
	int r = CE_ERR_INTERNAL;

	*pem = NULL;
	/* For a token key, its public key read back from the token. */
	if (X509_check_private_key(cert, tk != NULL ? tk->pub : key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_INVALID, "%s: the signer certificate is not for the key", what);
		goto out;
	}
	in = BIO_new_mem_buf(content, (int)len);
	mem = BIO_new(BIO_s_mem());
	if (in == NULL || mem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory", what);
		goto out;
	}
	if (tk != NULL) {
		r = p11_ossl_cms_sign(tk, cert, in, &cms);
		if (r < 0) {
			ce_err_prefix(r, "%s", what);
			goto out;
		}
	} else if ((cms = CMS_sign(cert, key, NULL, in,
				   CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP)) == NULL) {
		r = crypto_fail(what);
		goto out;
	}
	if (PEM_write_bio_CMS(mem, cms) != 1 || (pl = BIO_get_mem_data(mem, &p)) <= 0) {
		r = crypto_fail(what);
		goto out;
	}
	/* read back and verified, as transcript_sign does */
	pb = BIO_new_mem_buf(p, (int)pl);
	again = BIO_new_mem_buf(content, (int)len);
	back = pb != NULL ? PEM_read_bio_CMS(pb, NULL, NULL, NULL) : NULL;
	if (again == NULL || back == NULL ||
	    CMS_verify(back, NULL, NULL, again, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "%s: the signature made does not verify", what);
		goto out;
	}
	signers = CMS_get0_signers(back);
	if (signers == NULL || sk_X509_num(signers) != 1 ||
	    X509_cmp(sk_X509_value(signers, 0), cert) != 0) {
		r = ce_err_set(CE_ERR_VERIFY, "%s: the signature's signer is not the key", what);
		goto out;
	}
	*pem = malloc((size_t)pl + 1);
	if (*pem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory", what);
		goto out;
	}
	memcpy(*pem, p, (size_t)pl);
	(*pem)[pl] = '\0';
	*pem_len = (size_t)pl;
	r = 0;
out:
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	CMS_ContentInfo_free(back);
	BIO_free(in);
	BIO_free(mem);
	BIO_free(pb);
	BIO_free(again);
	return r;
}

int transcript_sign_test(EVP_PKEY *key, const struct p11_ossl_key *tk, X509 *cert,
			 const char *ceremony_id)
{
	char msg[128], *pem = NULL;
	size_t pl = 0;
	int r;

	snprintf(msg, sizeof(msg), "ceremony %s: transcript key sign test\n", ceremony_id);
	r = cms_sign_mem("the transcript key's test signature", msg, strlen(msg), key, tk,
			 cert, &pem, &pl);
	free(pem);
	return r;
}

int transcript_hold(struct transcript *t)
{
	if (t->closed || t->broken || t->holding)
		return ce_err_set(CE_ERR_STATE, "transcript: cannot hold lines now");
	t->holding = 1;
	t->before_hold.seq = t->seq;
	t->before_hold.last_sec = t->last_sec;
	t->before_hold.last_usec = t->last_usec;
	memcpy(t->before_hold.prev, t->prev, sizeof(t->prev));
	return 0;
}

int transcript_hold_sign(struct transcript *t, EVP_PKEY *key, const struct p11_ossl_key *tk,
			 X509 *cert, char **pem, size_t *pem_len)
{
	char *all = NULL;
	size_t n = 0;
	FILE *f = NULL;
	long sz;
	int r = CE_ERR_INTERNAL;

	*pem = NULL;
	if (!t->holding && !t->closed) {
		r = ce_err_set(CE_ERR_STATE, "transcript: no held lines to sign");
		goto out;
	}
	f = fopen(t->path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		r = ce_err_set(CE_ERR_IO, "%s: cannot read to sign", t->path);
		goto out;
	}
	all = malloc((size_t)sz + t->held_len + 1);
	if (all == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory reading it to sign", t->path);
		goto out;
	}
	n = fread(all, 1, (size_t)sz, f);
	if (n != (size_t)sz) {
		r = ce_err_set(CE_ERR_IO, "%s: short read to sign", t->path);
		goto out;
	}
	if (t->held_len)
		memcpy(all + n, t->held, t->held_len);
	r = cms_sign_mem("signing the transcript", all, n + t->held_len, key, tk, cert, pem,
			 pem_len);
out:
	if (f != NULL)
		fclose(f);
	free(all);
	return r;
}

int transcript_hold_release(struct transcript *t, int commit)
{
	int r = 0;

	if (!t->holding)
		return ce_err_set(CE_ERR_STATE, "transcript: no held lines");
	t->holding = 0;
	if (commit && t->held_len)
		r = fd_write_all(t, t->held, t->held_len);
	if (!commit) {
		t->seq = t->before_hold.seq;
		t->last_sec = t->before_hold.last_sec;
		t->last_usec = t->before_hold.last_usec;
		memcpy(t->prev, t->before_hold.prev, sizeof(t->prev));
	}
	free(t->held);
	t->held = NULL;
	t->held_len = 0;
	return r;
}

/* The whole closed transcript signed at once (no held lines): the tests'
 * and tools' way; ceremony run holds its end (transcript_hold). */
int transcript_sign(struct transcript *t, EVP_PKEY *key, X509 *cert)
{
	char *pem = NULL;
	size_t pl = 0;
	int r;

	if (!t->closed || t->broken || t->holding)
		return ce_err_set(CE_ERR_STATE, "transcript: sign needs a closed, intact transcript");
	r = transcript_hold_sign(t, key, NULL, cert, &pem, &pl);
	if (r == 0)
		r = transcript_sig_write(t, pem, pl, cert);
	free(pem);
	return r;
}

int transcript_sig_write(struct transcript *t, const char *pem, size_t pem_len, X509 *cert)
{
	char *sig_path = transcript_sig_path(t->path), *signer_path = transcript_signer_path(t->path);
	BIO *cmem = NULL;
	char *cpem = NULL;
	long cpem_len;
	int r = CE_ERR_INTERNAL;

	if (!t->closed || t->broken) {
		r = ce_err_set(CE_ERR_STATE, "transcript: the signature goes with a closed, intact "
					     "transcript");
		goto out;
	}
	cmem = BIO_new(BIO_s_mem());
	if (sig_path == NULL || signer_path == NULL || cmem == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "%s: out of memory writing the signature", t->path);
		goto out;
	}
	if (PEM_write_bio_X509(cmem, cert) != 1 || (cpem_len = BIO_get_mem_data(cmem, &cpem)) <= 0) {
		r = crypto_fail("encoding the signer certificate");
		goto out;
	}
	r = outfile_write_all(sig_path, 0600, pem, pem_len);
	if (r == 0)
		r = outfile_write_all(signer_path, 0600, cpem, (size_t)cpem_len);
out:
	BIO_free(cmem);
	free(sig_path);
	free(signer_path);
	return r;
}

/* ---------------------------------------------------------------------------
 * Helpers.
 */

json_t *transcript_person(const char *id, const char *name, const char *const *roles)
{
	json_t *p = NULL, *ra = NULL;
	size_t i;

	p = json_object();
	ra = json_array();
	if (p == NULL || ra == NULL)
		goto fail;
	for (i = 0; roles != NULL && roles[i] != NULL; i++)
		if (json_array_append_new(ra, json_string(roles[i])) != 0)
			goto fail;
	if (json_object_set_new(p, "id", json_string(id)) != 0)
		goto fail;
	if (name != NULL && json_object_set_new(p, "name", json_string(name)) != 0)
		goto fail;
	if (json_object_set_new(p, "roles", ra) != 0) {
		ra = NULL;
		goto fail;
	}
	return p;
fail:
	json_decref(ra);
	json_decref(p);
	return NULL;
}

int transcript_ceremony_id(char out[TRANSCRIPT_CEREMONY_ID_HEX_LEN + 1])
{
	uint8_t b[TRANSCRIPT_CEREMONY_ID_HEX_LEN / 2];

	if (RAND_bytes(b, (int)sizeof(b)) != 1)
		return crypto_fail("random ceremony id");
	hex_encode(b, sizeof(b), out);
	return 0;
}

int transcript_key_details(EVP_PKEY *key, int ephemeral, json_t **out)
{
	int r = CE_ERR_INTERNAL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	char words[FINGERPRINT_WORDS_MAX_LEN];
	BIO *mem = NULL;
	char *pem = NULL;
	long pl;
	json_t *d = NULL;

	*out = NULL;
	r = transcript_spki_sha256(key, h);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	r = ceremony_fingerprint_words(h, words, sizeof(words));
	if (r < 0)
		goto out;
	mem = BIO_new(BIO_s_mem());
	if (mem == NULL || PEM_write_bio_PUBKEY(mem, key) != 1) {
		r = crypto_fail("encoding the public key");
		goto out;
	}
	pl = BIO_get_mem_data(mem, &pem);
	d = json_pack("{s:s, s:s, s:s%, s:b, s:s}", "spki_sha256", hex, "fingerprint", words,
		      "public_key_pem", pem, (size_t)pl, "ephemeral", ephemeral, "key_type",
		      EVP_PKEY_get0_type_name(key) != NULL ? EVP_PKEY_get0_type_name(key) : "unknown");
	if (d == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "transcript.key details: out of memory");
		goto out;
	}
	*out = d;
	d = NULL; /* transferred */
	r = 0;
out:
	BIO_free(mem);
	json_decref(d);
	return r;
}

/* The signer certificate of key (or of tk, its public key read back from
 * the token), signed; verified in software with the public key. */
static int signer_cert(EVP_PKEY *key, const struct p11_ossl_key *tk, const char *ceremony_id,
		       X509 **out)
{
	int r = CE_ERR_INTERNAL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX ctx;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	ASN1_TIME *na = NULL;
	char cn[96];
	const EVP_MD *md = EVP_sha256();
	int nid = 0;

	*out = NULL;
	snprintf(cn, sizeof(cn), "ceremony transcript %.40s", ceremony_id);
	x = X509_new();
	name = X509_NAME_new();
	bn = BN_new();
	if (x == NULL || name == NULL || bn == NULL) {
		r = ce_err_set(CE_ERR_NOMEM, "transcript signer certificate: out of memory");
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_set_serialNumber(x, serial) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    (na = ASN1_TIME_new()) == NULL || ASN1_TIME_set_string(na, "99991231235959Z") != 1 ||
	    X509_set1_notAfter(x, na) != 1 || X509_set_pubkey(x, tk != NULL ? tk->pub : key) != 1) {
		r = crypto_fail("building the transcript signer certificate");
		goto out;
	}
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:FALSE");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		r = crypto_fail("certificate extension");
		goto out;
	}
	if (tk != NULL) {
		/* the provider, or our layer when the token lacks hash-and-sign;
		 * verified with the public key read back (never the private key) */
		r = p11_ossl_sign_obj(tk, 0, x, "transcript signer certificate");
		if (r < 0)
			goto out;
		goto done;
	}
	/* EdDSA keys take no separate digest. */
	if (EVP_PKEY_get_default_digest_nid(key, &nid) == 2 && nid == NID_undef)
		md = NULL;
	if (X509_sign(x, key, md) <= 0) {
		r = crypto_fail("signing the transcript signer certificate");
		goto out;
	}
	if (X509_verify(x, key) != 1) {
		ERR_clear_error();
		r = ce_err_set(CE_ERR_VERIFY, "the transcript signer certificate does not verify");
		goto out;
	}
done:
	*out = x;
	x = NULL; /* transferred */
	r = 0;
out:
	X509_EXTENSION_free(ext);
	X509_NAME_free(name);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(na);
	BN_free(bn);
	X509_free(x);
	return r;
}

int transcript_signer_cert_create(EVP_PKEY *key, const char *ceremony_id, X509 **out)
{
	return signer_cert(key, NULL, ceremony_id, out);
}

int transcript_signer_cert_create_tok(const struct p11_ossl_key *tk, const char *ceremony_id,
				      X509 **out)
{
	return signer_cert(NULL, tk, ceremony_id, out);
}

/* ---------------------------------------------------------------------------
 * Host facts for ceremony.start.
 */

static int hostname_get(char *out, size_t cap)
{
	if (gethostname(out, cap) != 0)
		return ce_err_set(CE_ERR_IO, "gethostname: %s", strerror(errno));
	out[cap - 1] = '\0';
	return 0;
}

int transcript_host_details(json_t *details)
{
	int r = CE_ERR_INTERNAL;
	uint8_t h[32];
	char hex[TRANSCRIPT_HASH_HEX_LEN + 1];
	char host[256];
	struct timex tx;
	int state;
	json_t *clock = NULL;

	r = transcript_file_sha256("/proc/self/exe", h, NULL);
	if (r < 0)
		goto out;
	hex_encode(h, 32, hex);
	r = hostname_get(host, sizeof(host));
	if (r < 0)
		goto out;
	/* policy 5.5: record whether the host clock is synchronised to a UTC source. */
	memset(&tx, 0, sizeof(tx));
	state = adjtimex(&tx);
	if (state < 0) {
		clock = json_pack("{s:b, s:s, s:s}", "synchronised", 0, "source", "adjtimex",
				  "error", strerror(errno));
	} else {
		int synced = state != TIME_ERROR && !(tx.status & STA_UNSYNC);

		clock = json_pack("{s:b, s:I, s:I, s:s}", "synchronised", synced, "maxerror_us",
				  (json_int_t)tx.maxerror, "esterror_us", (json_int_t)tx.esterror,
				  "source", "adjtimex");
	}
	if (clock == NULL || json_object_set_new(details, "clock", clock) != 0) {
		clock = NULL;
		r = ce_err_set(CE_ERR_NOMEM, "ceremony.start details: out of memory");
		goto out;
	}
	clock = NULL;
	if (json_object_set_new(details, "tool_version", json_string(CEREMONY_VERSION)) != 0 ||
	    json_object_set_new(details, "exe_sha256", json_string(hex)) != 0 ||
	    json_object_set_new(details, "host", json_string(host)) != 0 ||
	    json_object_set_new(details, "openssl_version",
				json_string(OpenSSL_version(OPENSSL_VERSION))) != 0) {
		r = ce_err_set(CE_ERR_NOMEM, "ceremony.start details: out of memory");
		goto out;
	}
	r = 0;
out:
	json_decref(clock);
	return r;
}
