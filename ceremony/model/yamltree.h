/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/model/yamltree.h - a YAML document read into a small tree that keeps the
 * place (file:line:col, 1-based) of every node.
 *
 * Scripts and rosters are untrusted input: the file is read through a bounded
 * reader (at most YTREE_MAX_BYTES), must hold exactly one document, nests at
 * most YTREE_MAX_DEPTH levels, and may not use anchors or aliases (so an
 * "exponential alias" document cannot blow up, and what is reviewed is what
 * runs). The tree owns its strings; nodes are freed with the tree.
 */
#ifndef CE_CEREMONY_YAMLTREE_H
#define CE_CEREMONY_YAMLTREE_H

#include "ceremony/model/diag.h"

#include <stddef.h>

#define YTREE_MAX_BYTES (1024u * 1024u)
#define YTREE_MAX_DEPTH 32

enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	struct diag_mark mark; /* mark.file borrowed from the tree */
	char *str;             /* scalar value, NUL-terminated (scalar only) */
	size_t len;            /* scalar length */
	int plain;             /* scalar was unquoted */
	size_t n;              /* seq: items; map: pairs */
	struct ynode **kids;   /* seq: n items; map: 2n nodes, key then value */
};

#define YTREE_SHA256_BYTES 32

struct ytree {
	char *path; /* owned: the path as given, used in every mark */
	struct ynode *root;
	/* SHA-256 of exactly the bytes parsed (for the transcript's opening
	 * event: what is recorded is what was read, no second read of the file) */
	unsigned char sha256[YTREE_SHA256_BYTES];
};

/* Read and parse path. On success *out is a new tree (ytree_free). On error
 * returns CE_ERR_IO / CE_ERR_TOO_LARGE / CE_ERR_FORMAT (CE_ERR_NOMEM,
 * CE_ERR_CRYPTO if the digest failed), reports the problem
 * into d (may be NULL) and sets the ce_err detail "FILE:LINE:COL: ...". */
int ytree_load_file(const char *path, struct ytree **out, struct diag *d)
	__attribute__((warn_unused_result));

/* As ytree_load_file for bytes already in memory; name is used in marks. */
int ytree_load_mem(const char *name, const char *data, size_t len, struct ytree **out,
		   struct diag *d) __attribute__((warn_unused_result));

void ytree_free(struct ytree *t);

/* Map helpers: the i-th key/value of a map node. */
static inline const struct ynode *ynode_key(const struct ynode *m, size_t i)
{
	return m->kids[2 * i];
}
static inline const struct ynode *ynode_val(const struct ynode *m, size_t i)
{
	return m->kids[2 * i + 1];
}

/* The value for key in map m, or NULL. */
const struct ynode *ynode_get(const struct ynode *m, const char *key);

/* "mapping", "sequence" or "scalar". */
const char *ynode_type_name(enum ynode_type t);

#endif
