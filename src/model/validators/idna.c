/*
 * domain.encode('idna'): Python's "idna" codec is IDNA2003 (RFC 3490 ToASCII
 * with nameprep and RFC 3492 punycode), which is what GNU libidn's
 * idna_to_ascii_4z() implements. Python's nameprep does not refuse code
 * points unassigned in Unicode 3.2 (emoji, say), hence IDNA_ALLOW_UNASSIGNED;
 * it does not apply the STD3 ASCII rules either.
 */
#include <idn-free.h>
#include <idna.h>
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

int corm__idna_encode(const uint32_t *c, size_t n, uint32_t **out, size_t *out_len)
{
	/* libidn wants a zero-terminated string; c has no U+0000 (it comes from a C string) */
	uint32_t *in = corm__alloc((n + 1) * sizeof(uint32_t));
	if (!in)
		return CORM_ENOMEM;
	memcpy(in, c, n * sizeof(uint32_t));
	in[n] = 0;
	char *ace = NULL; /* libidn sets it only on success */
	int rc = idna_to_ascii_4z(in, &ace, IDNA_ALLOW_UNASSIGNED);
	corm__free(in);
	if (rc != IDNA_SUCCESS) {
		idn_free(ace);
		return rc == IDNA_MALLOC_ERROR ? CORM_ENOMEM : 0;
	}
	size_t len = strlen(ace);
	uint32_t *cps = corm__alloc((len ? len : 1) * sizeof(uint32_t));
	if (!cps) {
		idn_free(ace);
		return CORM_ENOMEM;
	}
	for (size_t i = 0; i < len; i++)
		cps[i] = (unsigned char)ace[i];
	idn_free(ace);
	*out = cps;
	*out_len = len;
	return 1;
}
