/* SPDX-License-Identifier: Apache-2.0 */
#include "ceremony/model/yamltree.h"
#include "common/buf.h"
#include "common/err.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static void ynode_free(struct ynode *n)
{
	size_t i, k;

	if (n == NULL)
		return;
	k = n->type == YNODE_MAP ? 2 * n->n : n->n;
	for (i = 0; i < k; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

void ytree_free(struct ytree *t)
{
	if (t == NULL)
		return;
	ynode_free(t->root);
	free(t->path);
	free(t);
}

const char *ynode_type_name(enum ynode_type t)
{
	switch (t) {
	case YNODE_SCALAR:
		return "scalar";
	case YNODE_SEQ:
		return "sequence";
	case YNODE_MAP:
		return "mapping";
	}
	return "node";
}

const struct ynode *ynode_get(const struct ynode *m, const char *key)
{
	size_t i;

	if (m == NULL || m->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < m->n; i++)
		if (strcmp(ynode_key(m, i)->str, key) == 0)
			return ynode_val(m, i);
	return NULL;
}

struct conv {
	yaml_document_t *doc;
	const char *file;
	unsigned char *seen; /* per libyaml node: visited once already (alias) */
	size_t nnodes;
	struct diag *d;
};

static void mark_of(const struct conv *c, const yaml_node_t *yn, struct diag_mark *m)
{
	m->file = c->file;
	m->line = (unsigned)yn->start_mark.line + 1;
	m->col = (unsigned)yn->start_mark.column + 1;
}

static int conv_node(struct conv *c, int idx, unsigned depth, struct ynode **out)
{
	int r = CE_ERR_INTERNAL;
	yaml_node_t *yn = yaml_document_get_node(c->doc, idx);
	struct ynode *n = NULL;
	size_t i, k;

	if (yn == NULL || idx < 1 || (size_t)idx > c->nnodes)
		goto out;
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	mark_of(c, yn, &n->mark);
	if (c->seen[idx - 1]) {
		diag_error(c->d, &n->mark, "anchors and aliases are not allowed");
		r = CE_ERR_FORMAT;
		goto out;
	}
	c->seen[idx - 1] = 1;
	if (depth > YTREE_MAX_DEPTH) {
		diag_error(c->d, &n->mark, "nested more than %d levels", YTREE_MAX_DEPTH);
		r = CE_ERR_FORMAT;
		goto out;
	}
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n->type = YNODE_SCALAR;
		n->len = yn->data.scalar.length;
		if (memchr(yn->data.scalar.value, '\0', n->len) != NULL) {
			diag_error(c->d, &n->mark, "NUL byte in a value");
			r = CE_ERR_FORMAT;
			goto out;
		}
		n->str = malloc(n->len + 1);
		if (n->str == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		memcpy(n->str, yn->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		break;
	case YAML_SEQUENCE_NODE:
		n->type = YNODE_SEQ;
		k = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
		n->kids = calloc(k ? k : 1, sizeof(*n->kids));
		if (n->kids == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < k; i++) {
			r = conv_node(c, yn->data.sequence.items.start[i], depth + 1, &n->kids[i]);
			if (r < 0)
				goto out;
			n->n = i + 1;
		}
		break;
	case YAML_MAPPING_NODE:
		n->type = YNODE_MAP;
		k = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
		n->kids = calloc(k ? 2 * k : 1, sizeof(*n->kids));
		if (n->kids == NULL) {
			r = CE_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < k; i++) {
			yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
			size_t j;

			r = conv_node(c, p->key, depth + 1, &n->kids[2 * i]);
			if (r < 0)
				goto out;
			r = conv_node(c, p->value, depth + 1, &n->kids[2 * i + 1]);
			if (r < 0) {
				ynode_free(n->kids[2 * i]);
				n->kids[2 * i] = NULL;
				goto out;
			}
			n->n = i + 1;
			if (n->kids[2 * i]->type != YNODE_SCALAR) {
				diag_error(c->d, &n->kids[2 * i]->mark, "a key must be a scalar");
				r = CE_ERR_FORMAT;
				goto out;
			}
			for (j = 0; j < i; j++) {
				if (strcmp(n->kids[2 * j]->str, n->kids[2 * i]->str) == 0) {
					diag_error(c->d, &n->kids[2 * i]->mark,
						   "duplicate key '%s' (first at line %u)",
						   n->kids[2 * i]->str, n->kids[2 * j]->mark.line);
					r = CE_ERR_FORMAT;
					goto out;
				}
			}
		}
		break;
	default:
		diag_error(c->d, &n->mark, "empty node");
		r = CE_ERR_FORMAT;
		goto out;
	}
	*out = n;
	n = NULL; /* transferred */
	r = 0;
out:
	ynode_free(n);
	return r;
}

/* First pass over the events: refuse anchors and aliases where they are
 * written, and bound nesting before any tree is built. */
static int ytree_prescan(const char *file, const char *data, size_t len, struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_parser = 0, have_event = 0;
	unsigned depth = 0;
	struct diag_mark m;

	m.file = file;
	if (!yaml_parser_initialize(&parser)) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	have_parser = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		const yaml_char_t *anchor = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			/* the loader reports syntax errors with their context */
			r = 0;
			goto out;
		}
		have_event = 1;
		m.line = (unsigned)ev.start_mark.line + 1;
		m.col = (unsigned)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			diag_error(d, &m, "aliases are not allowed (write the value out)");
			r = CE_ERR_FORMAT;
			goto out;
		case YAML_SCALAR_EVENT:
			anchor = ev.data.scalar.anchor;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = ev.data.sequence_start.anchor;
			depth++;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = ev.data.mapping_start.anchor;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (anchor != NULL) {
			diag_error(d, &m, "anchors are not allowed (write the value out)");
			r = CE_ERR_FORMAT;
			goto out;
		}
		if (depth > YTREE_MAX_DEPTH) {
			diag_error(d, &m, "nested more than %d levels", YTREE_MAX_DEPTH);
			r = CE_ERR_FORMAT;
			goto out;
		}
		if (ev.type == YAML_STREAM_END_EVENT)
			break;
		yaml_event_delete(&ev);
		have_event = 0;
	}
	r = 0;
out:
	if (have_event)
		yaml_event_delete(&ev);
	if (have_parser)
		yaml_parser_delete(&parser);
	return r;
}

int ytree_load_mem(const char *name, const char *data, size_t len, struct ytree **out,
		   struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	int have_parser = 0, have_doc = 0, have_doc2 = 0;
	struct ytree *t = NULL;
	struct conv c;
	struct diag_mark m;

	memset(&c, 0, sizeof(c));
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->path = strdup(name)) == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	m.file = t->path;
	m.line = 1;
	m.col = 1;
	if (len > YTREE_MAX_BYTES) {
		diag_error(d, &m, "file is larger than %u bytes", YTREE_MAX_BYTES);
		r = CE_ERR_TOO_LARGE;
		goto out;
	}
	if (!EVP_Digest(data, len, t->sha256, NULL, EVP_sha256(), NULL)) {
		r = CE_ERR_CRYPTO;
		goto out;
	}
	r = ytree_prescan(t->path, data, len, d);
	if (r < 0)
		goto out;
	if (!yaml_parser_initialize(&parser)) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	have_parser = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		m.line = (unsigned)parser.problem_mark.line + 1;
		m.col = (unsigned)parser.problem_mark.column + 1;
		diag_error(d, &m, "YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
			   parser.context ? " " : "", parser.context ? parser.context : "");
		r = CE_ERR_FORMAT;
		goto out;
	}
	have_doc = 1;
	if (yaml_document_get_root_node(&doc) == NULL) {
		diag_error(d, &m, "empty document");
		r = CE_ERR_FORMAT;
		goto out;
	}
	if (!yaml_parser_load(&parser, &doc2)) {
		m.line = (unsigned)parser.problem_mark.line + 1;
		m.col = (unsigned)parser.problem_mark.column + 1;
		diag_error(d, &m, "YAML: %s", parser.problem ? parser.problem : "syntax error");
		r = CE_ERR_FORMAT;
		goto out;
	}
	have_doc2 = 1;
	if (yaml_document_get_root_node(&doc2) != NULL) {
		m.line = (unsigned)doc2.start_mark.line + 1;
		m.col = (unsigned)doc2.start_mark.column + 1;
		diag_error(d, &m, "more than one YAML document");
		r = CE_ERR_FORMAT;
		goto out;
	}
	c.doc = &doc;
	c.file = t->path;
	c.d = d;
	c.nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
	c.seen = calloc(c.nnodes ? c.nnodes : 1, 1);
	if (c.seen == NULL) {
		r = CE_ERR_NOMEM;
		goto out;
	}
	r = conv_node(&c, 1, 0, &t->root);
	if (r < 0)
		goto out;
	*out = t;
	t = NULL; /* transferred */
	r = 0;
out:
	free(c.seen);
	if (have_doc2)
		yaml_document_delete(&doc2);
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	ytree_free(t);
	return r;
}

int ytree_load_file(const char *path, struct ytree **out, struct diag *d)
{
	int r = CE_ERR_INTERNAL;
	struct buf b;
	struct diag_mark m = { path, 0, 0 };
	struct diag_mark nowhere = { NULL, 0, 0 };

	buf_init(&b, YTREE_MAX_BYTES);
	r = buf_read_file(&b, path, YTREE_MAX_BYTES);
	if (r == CE_ERR_TOO_LARGE) {
		m.line = 1;
		m.col = 1;
		diag_error(d, &m, "file is larger than %u bytes", YTREE_MAX_BYTES);
		goto out;
	}
	if (r < 0) {
		/* the detail already names the path */
		diag_error(d, &nowhere, "%s", ce_err_detail());
		goto out;
	}
	r = ytree_load_mem(path, b.p, b.len, out, d);
out:
	buf_free(&b);
	return r;
}
