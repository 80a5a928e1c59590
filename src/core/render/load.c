/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The load average arithmetic of the kernel (kernel/sched/loadavg.c), so a
 * container's averages rise and decay exactly like the host's would.
 */
#include <stddef.h>

#include "loadavg.h"
#include "macro.h"

/* exp(-5 s / 1 min), exp(-5 s / 5 min) and exp(-5 s / 15 min) in fixed point. */
static const unsigned long loadavg_decay[3] = { 1884, 2014, 2037 };

/*
 * More tasks than the kernel's pid limit (2^22) allows; the cap keeps
 * active * FIXED_1 * FIXED_1 inside 64 bits.
 */
#define LOADAVG_ACTIVE_MAX (1UL << 32)

/*
 * One decay step with the factor decay: load * decay + active * (1 - decay).
 * Rounding up while the load rises lets a constant load reach its value
 * exactly instead of stopping one unit short.
 */
static unsigned long loadavg_step(unsigned long load, unsigned long decay, unsigned long active_fixed) {
        unsigned long next = load * decay + active_fixed * (LOADAVG_FIXED_1 - decay);

        if (active_fixed >= load)
                next += LOADAVG_FIXED_1 - 1;
        return next / LOADAVG_FIXED_1;
}

/* x to the power n in fixed point, rounding each product to nearest. */
static unsigned long fixed_pow(unsigned long x, unsigned n) {
        unsigned long result = LOADAVG_FIXED_1;
        const unsigned long half = LOADAVG_FIXED_1 / 2;

        while (n > 0) {
                if (n & 1)
                        result = (result * x + half) >> LOADAVG_FSHIFT;

                n >>= 1;
                if (n > 0)
                        x = (x * x + half) >> LOADAVG_FSHIFT;
        }
        return result;
}

void loadavg_update(struct loadavg *l, unsigned long active) {
        loadavg_update_n(l, active, 1);
}

void loadavg_update_n(struct loadavg *l, unsigned long active, unsigned missed) {
        unsigned long active_fixed;

        if (missed == 0)
                return;

        if (active > LOADAVG_ACTIVE_MAX)
                active = LOADAVG_ACTIVE_MAX;
        active_fixed = active * LOADAVG_FIXED_1;

        /* n steps with the same sample are one step with the decay factor raised to n. */
        for (size_t i = 0; i < ELEMENTSOF(l->avg); i++)
                l->avg[i] = loadavg_step(l->avg[i], fixed_pow(loadavg_decay[i], missed), active_fixed);
}

void loadavg_add(struct loadavg *a, const struct loadavg *b) {
        for (size_t i = 0; i < ELEMENTSOF(a->avg); i++)
                a->avg[i] += b->avg[i];
}
