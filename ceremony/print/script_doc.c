/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ceremony/print/script_doc.c - print_script_pdf (ceremony/print/print.h):
 * the script as the paper the room follows, step by step.
 */
#include "ceremony/print/pdf.h"
#include "ceremony/print/print.h"

#include "ceremony/model/role.h"
#include "ceremony/model/yamltree.h"
#include "ceremony/transcript/fingerprint.h"
#include "common/err.h"
#include "common/hex.h"

#include <stdio.h>
#include <string.h>

#define LINE_MAX_CHARS 1024

/* The persons of one side of a step (actors or witnesses), a line each. */
static void doc_people(struct print_pdf *p, const unsigned *count, const char *what)
{
	char line[128];
	unsigned ro, i;
	int any = 0;

	for (ro = 0; ro < ROLE_COUNT; ro++)
		for (i = 1; i <= count[ro]; i++) {
			if (!any)
				print_pdf_text(p, 0, what);
			any = 1;
			snprintf(line, sizeof(line), "%s %u of %u", role_name((enum role)ro), i,
				 count[ro]);
			print_pdf_person(p, line);
		}
}

/* The step's parameters as "key: value" (a checklist's items apart). */
static void doc_params(struct print_pdf *p, const struct script_step *st)
{
	const struct script_param_spec *ps;
	const char *v;
	char line[LINE_MAX_CHARS];

	for (ps = st->action->params; ps != NULL && ps->key != NULL; ps++) {
		if (ps->type == PT_ITEMS)
			continue;
		v = script_param_str(st, ps->key);
		if (v == NULL)
			continue;
		snprintf(line, sizeof(line), "%s: %s", ps->key, v);
		print_pdf_text(p, 1, line);
	}
}

/* A checklist's items: each read out, initialled; a record item's value
 * written in. */
static void doc_items(struct print_pdf *p, const struct script_step *st)
{
	const struct ynode *items = st->with != NULL ? ynode_get(st->with, "items") : NULL;
	const struct ynode *it, *t, *rec;
	char line[LINE_MAX_CHARS];
	size_t i;

	if (items == NULL || items->type != YNODE_SEQ)
		return;
	for (i = 0; i < items->n; i++) {
		it = items->kids[i];
		t = it->type == YNODE_MAP ? ynode_get(it, "text") : it;
		rec = it->type == YNODE_MAP ? ynode_get(it, "record") : NULL;
		snprintf(line, sizeof(line), "%zu. %s", i + 1,
			 t != NULL && t->type == YNODE_SCALAR ? t->str : "?");
		print_pdf_text(p, 0, line);
		if (rec != NULL && rec->type == YNODE_SCALAR) {
			snprintf(line, sizeof(line), "   %s (read aloud):", rec->str);
			print_pdf_blank(p, line);
		}
		print_pdf_person(p, "   done, witnessed by");
	}
}

/* The values the console shows that are read aloud and written here. */
static void doc_read_aloud(struct print_pdf *p, const struct script_step *st)
{
	const struct script_param_spec *ps;
	const char *a = st->action->name, *v;
	char line[LINE_MAX_CHARS];
	size_t i;

	print_pdf_text(p, 0, "Read aloud at the console, written here:");
	if (strcmp(a, "token.init") == 0)
		print_pdf_blank(p, "   token serial:");
	if (strcmp(a, "key.generate") == 0 || strcmp(a, "key.restore") == 0)
		print_pdf_blank(p, "   key fingerprint (8 words):");
	if (strcmp(a, "fingerprint") == 0)
		print_pdf_blank(p, "   fingerprint (8 words):");
	for (ps = st->action->params; ps != NULL && ps->key != NULL; ps++) {
		if (ps->type != PT_SECRET || (v = script_param_str(st, ps->key)) == NULL)
			continue;
		if (ps->use & SECRET_USE_QUORUM) {
			snprintf(line, sizeof(line), "   %s: quorum met, set:", v);
			print_pdf_blank(p, line);
		}
		if (ps->use & SECRET_USE_ISSUE) {
			snprintf(line, sizeof(line), "   %s: new share set identifier:", v);
			print_pdf_blank(p, line);
		}
	}
	for (i = 0; i < st->noutputs; i++) {
		snprintf(line, sizeof(line), "   %s, fingerprint (8 words):", st->outputs[i].path);
		print_pdf_blank(p, line);
	}
	print_pdf_blank(p, "   step started at (UTC):");
	print_pdf_blank(p, "   step ended at (UTC), done / failed:");
}

static void doc_step(struct print_pdf *p, const struct script *s, const struct script_step *st)
{
	char line[LINE_MAX_CHARS];

	snprintf(line, sizeof(line), "Step %zu of %zu - %s: %s", st->index + 1, s->nsteps, st->id,
		 st->title);
	print_pdf_heading(p, 3, line);
	snprintf(line, sizeof(line), "Action %s: %s", st->action->name,
		 st->action->summary != NULL ? st->action->summary : "");
	print_pdf_text(p, 0, line);
	doc_params(p, st);
	if (st->note != NULL) {
		snprintf(line, sizeof(line), "Note: %s", st->note);
		print_pdf_text(p, 0, line);
	}
	doc_items(p, st);
	doc_people(p, st->actors, "Acting:");
	doc_people(p, st->witnesses, "Witnessing:");
	doc_read_aloud(p, st);
}

/* "user-pin (pin, token root): 3 of 5 shares" or, with groups, "2 of 3
 * groups: group 1 3 of 5 shares, ...". */
static void doc_secret(struct print_pdf *p, const struct script_secret *sec)
{
	const struct script_layout *l = &sec->layout;
	char line[LINE_MAX_CHARS];
	size_t g, len;

	len = (size_t)snprintf(line, sizeof(line), "%s (%s%s%s): ", sec->name,
			       secret_kind_name(sec->kind), sec->token != NULL ? ", token " : "",
			       sec->token != NULL ? sec->token->name : "");
	if (l->ngroups > 1 && len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%u of %zu groups:",
					l->group_threshold, l->ngroups);
	for (g = 0; g < l->ngroups && len < sizeof(line); g++)
		if (l->ngroups > 1)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%s group %zu: %u of %u shares", g ? ";" : "", g + 1,
						l->groups[g].threshold, l->groups[g].count);
		else
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%u of %u shares needed", l->groups[g].threshold,
						l->groups[g].count);
	print_pdf_text(p, 0, line);
}

/* Title, what identifies the script, the blanks of the day, the seats. */
static void doc_front(struct print_pdf *p, const struct script *s)
{
	char line[LINE_MAX_CHARS], hex[2 * YTREE_SHA256_BYTES + 1], words[FINGERPRINT_WORDS_MAX_LEN];
	unsigned ro;
	size_t i;

	snprintf(line, sizeof(line), "Ceremony script: %s", s->name);
	print_pdf_heading(p, 1, line);
	snprintf(line, sizeof(line), "Version %s; roster %s", s->version, s->roster);
	print_pdf_text(p, 0, line);
	if (s->description != NULL)
		print_pdf_text(p, 0, s->description);
	hex_encode(s->tree->sha256, YTREE_SHA256_BYTES, hex);
	if (ceremony_fingerprint_words(s->tree->sha256, words, sizeof(words)) != 0)
		words[0] = '\0';
	snprintf(line, sizeof(line), "Script file SHA-256: %s (%s)", hex, words);
	print_pdf_text(p, 1, line);
	print_pdf_text(p, 0, "The console shows the values to read aloud; write them in the "
			     "blanks. Every person initials the steps they act in or witness.");
	print_pdf_heading(p, 2, "The day");
	print_pdf_blank(p, "Date and place:");
	print_pdf_blank(p, "Ceremony id (shown at the start):");
	print_pdf_blank(p, "Transcript key fingerprint (8 words):");
	print_pdf_blank(p, "Started at (UTC):");
	print_pdf_heading(p, 2, "Persons seated");
	for (ro = 0; ro < ROLE_COUNT; ro++)
		for (i = 1; i <= s->roles[ro]; i++) {
			snprintf(line, sizeof(line), "%s %zu of %u", role_name((enum role)ro), i,
				 s->roles[ro]);
			print_pdf_person(p, line);
		}
	if (s->nsecrets > 0)
		print_pdf_heading(p, 2, "Secrets split into shares");
	for (i = 0; i < s->nsecrets; i++)
		doc_secret(p, &s->secrets[i]);
}

int print_script_pdf(const struct script *s, uint8_t **pdf, size_t *len)
{
	int r = CE_ERR_INTERNAL;
	struct print_pdf *p = NULL;
	char footer[256];
	unsigned k;
	size_t i;

	snprintf(footer, sizeof(footer), "ceremony script: %s, version %s", s->name, s->version);
	r = print_pdf_open(s->name, footer, &p);
	if (r < 0)
		goto out;
	doc_front(p, s);
	print_pdf_heading(p, 2, "Steps");
	for (i = 0; i < s->nsteps; i++)
		doc_step(p, s, &s->steps[i]);
	print_pdf_heading(p, 2, "Closing");
	print_pdf_blank(p, "Ended at (UTC), completed / aborted:");
	print_pdf_blank(p, "Transcript SHA-256 (ceremony print --transcript):");
	for (i = 0; i < ROLE_COUNT; i++)
		for (k = 1; k <= s->roles[i]; k++) {
			snprintf(footer, sizeof(footer), "%s %u of %u: name and signature",
				 role_name((enum role)i), k, s->roles[i]);
			print_pdf_signature(p, footer);
		}
	r = print_pdf_finish(p, pdf, len);
out:
	print_pdf_free(p);
	return r;
}
