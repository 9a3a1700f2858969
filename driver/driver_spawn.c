/*
 * driver_spawn.c - starting a child (the real compiler, the traced program),
 * waiting for it, and passing its exit status on exactly.
 */
#include "driver.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int ms_spawn_wait(const char *who, const char *path, char *const *argv, int *status) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(path, argv);
        int e = errno;
        fprintf(stderr, "%s: cannot run %s: %s\n", who, path, strerror(e));
        _exit(e == EACCES || e == ENOEXEC ? 126 : 127);
    }
    for (;;) {
        pid_t r = waitpid(pid, status, 0);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

int ms_status_code(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

void ms_exit_like(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        fflush(NULL);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
    }
    exit(ms_status_code(status));
}
