/*
 * log: one line per message on stderr, in 1.0's format:
 *   <program> | YYYY/MM/DD HH:MM:SS <text>
 * (local time; <program> is argv[0] as given to log_init). The program name is the only
 * process-wide state in the project; it is set once by main().
 */
#ifndef NVD_LOG_H
#define NVD_LOG_H

/* For programs that open descriptors of their own (sockets, files) and log to stderr: any of
 * descriptors 0, 1 and 2 that is closed is opened on /dev/null, so that a socket never lands on 2
 * and gets log lines, nor a pipe on 0 that a child would read. Not for the pass-through. */
void stdio_ensure_open(void);
void log_init(const char *program);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_msg("Error: <text>") */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_msg("Warning: <text>") */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
