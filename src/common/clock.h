/*
 * clock: milliseconds on the monotonic clock, for deadlines and for the durations the logs report.
 */
#ifndef NVD_CLOCK_H
#define NVD_CLOCK_H

/* CLOCK_MONOTONIC in milliseconds (an arbitrary origin: only differences mean something). */
long monotonic_ms(void);

#endif
