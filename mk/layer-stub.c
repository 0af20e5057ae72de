/* SPDX-License-Identifier: Apache-2.0 */
/* The layer link check's program (Makefile, `layers`): it calls nothing, so
 * linking a whole layer library against it resolves every symbol that layer
 * uses from the layers below it, or fails. */
int main(void);

int main(void)
{
	return 0;
}
