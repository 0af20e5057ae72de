/*
 * shares/ui_placeholder.c - stands in for the terminal share UI and the share
 * card command until their branch is merged (the lead deletes this file then).
 * Every entry point refuses with CE_ERR_TTY.
 */
#include "shares/ui.h"
#include "common/err.h"

#include <stdio.h>

int shares_cmd_card(int argc, char **argv);

int shares_ui_show(const struct shares_ui_term *t, const struct shares_ui_position *pos,
		   const struct slip39_share *share)
{
	return ce_err_set(CE_ERR_TTY, "the interactive share display is not in this build");
}

int shares_ui_enter(const struct shares_ui_term *t, const char *prompt,
		    struct slip39_share *share)
{
	return ce_err_set(CE_ERR_TTY, "the interactive share entry is not in this build");
}

size_t shares_ui_suggest_fixes(const uint16_t *words, size_t n, struct shares_ui_fix *out,
			       size_t max)
{
	return 0;
}

int shares_ui_qr_print(FILE *out, const char *text)
{
	return ce_err_set(CE_ERR_TTY, "QR display is not in this build");
}

int shares_card_write_pdf(const char *path, const struct shares_ui_position *pos,
			  const struct slip39_share *share)
{
	return ce_err_set(CE_ERR_TTY, "share cards are not in this build");
}

int shares_cmd_card(int argc, char **argv)
{
	ce_err_print(ce_err_set(CE_ERR_TTY, "shares card: share cards are not in this build"));
	return 1;
}
