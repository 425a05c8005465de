/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SMTPWALL_EAL_RUNTIME_H
#define SMTPWALL_EAL_RUNTIME_H

/*
 * EAL's runtime directory (/var/run/dpdk/PREFIX, or under XDG_RUNTIME_DIR)
 * holds what secondary processes would attach to: the config, memory
 * maps, the multi-process and telemetry sockets. rte_eal_cleanup() leaves
 * the directory and most files behind, so every run left one more (a test
 * suite run: hundreds). A primary process that is going removes it.
 */

/*
 * Notes the directory (after rte_eal_init succeeded with these arguments).
 * With --no-shconf or --in-memory the process may share the directory of a
 * live instance of the same prefix (an offline run beside the appliance):
 * then it is not noted, never removed.
 */
void eal_runtime_dir_note(int argc, char **argv);

/* After rte_eal_cleanup(): removes the files in it and the directory,
 * when this process is the primary one. Quiet; best effort. */
void eal_runtime_dir_remove(void);

#endif /* SMTPWALL_EAL_RUNTIME_H */
