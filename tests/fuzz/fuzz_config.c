/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz target: any bytes as a configuration file. Never a crash; an error
 * always carries a "name:line:column:" prefix; success leaves a sane config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[CONFIG_ERR_LEN];

	config_default(&c);
	err[0] = '\0';
	if (config_load_string("f.yaml", (const char *)data, size, &c, err, sizeof(err)) != 0) {
		if (strncmp(err, "f.yaml:", 7) != 0)
			abort();
		return 0;
	}
	if (c.n_pairs == 0 || c.n_pairs > CONFIG_MAX_PAIRS || c.flows_per_worker < 16)
		abort();
	return 0;
}
