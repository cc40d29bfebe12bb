// Runs one command and writes its wall time, CPU time and peak RSS to a file.
//
// usage: measure RESULT-FILE TIMEOUT-SECONDS COMMAND [ARG...]
//
// Writes "WALL-SECONDS CPU-SECONDS PEAK-RSS-KIB EXIT-STATUS" to RESULT-FILE. CPU is user
// plus system time of the command and its waited-for children, from wait4. The command is
// killed after TIMEOUT-SECONDS. Linux counts the peak RSS of the process that forked the
// command in the command's own ru_maxrss. A large parent such as Python would raise the
// peak of a small command to its own size, and this small launcher keeps that floor low.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void kill_child(int signal_number) {
    (void)signal_number;
    if (child > 0) kill(child, SIGKILL);
}

static double seconds(struct timeval value) {
    return (double)value.tv_sec + (double)value.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: measure RESULT-FILE TIMEOUT-SECONDS COMMAND [ARG...]\n");
        return 2;
    }
    FILE *result = fopen(argv[1], "w");
    if (!result) {
        perror(argv[1]);
        return 2;
    }
    unsigned timeout = (unsigned)strtoul(argv[2], NULL, 10);

    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    signal(SIGALRM, kill_child);
    alarm(timeout);

    int status;
    struct rusage usage;
    while (wait4(child, &status, 0, &usage) < 0) {
        // EINTR comes from SIGALRM, after which the killed child is waited for.
        if (errno != EINTR) {
            perror("wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    alarm(0);

    double wall = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(result, "%.6f %.6f %ld %d\n", wall, seconds(usage.ru_utime) + seconds(usage.ru_stime),
            usage.ru_maxrss, exit_status);
    fclose(result);
    return exit_status;
}
