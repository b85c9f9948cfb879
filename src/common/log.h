/*
 * log: one line per message on stderr, in 1.0's format:
 *   <program> | YYYY/MM/DD HH:MM:SS <text>
 * (local time; <program> is argv[0] as given to log_init). The program name is the only
 * process-wide state in the project; it is set once by main().
 */
#ifndef NVD_LOG_H
#define NVD_LOG_H

void log_init(const char *program);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_msg("Error: <text>") */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_msg("Warning: <text>") */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
