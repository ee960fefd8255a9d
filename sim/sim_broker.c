/*  sim_broker.c — see sim_broker.h. */
#include "sim_broker.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int
s_rm_one (const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove (path) == 0 || errno == ENOENT ? 0 : -1;
}

static void
s_rmtree (const char *path)
{
    nftw (path, s_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

//  The directory of this executable into out; -1 if unknown.
static int
s_self_dir (char *out, size_t size)
{
    ssize_t n = readlink ("/proc/self/exe", out, size - 1);
    if (n <= 0)
        return -1;
    out[n] = 0;
    char *slash = strrchr (out, '/');
    if (!slash)
        return -1;
    *slash = 0;
    return 0;
}

//  The broker program: beside this executable, else in $OW_BIN_DIR.
static int
s_broker_path (char *out, size_t size)
{
    char self[PATH_MAX];
    if (s_self_dir (self, sizeof self) == 0) {
        snprintf (out, size, "%s/onewindow-broker", self);
        if (access (out, X_OK) == 0)
            return 0;
    }
    const char *bin = getenv ("OW_BIN_DIR");
    if (bin && *bin) {
        snprintf (out, size, "%s/onewindow-broker", bin);
        if (access (out, X_OK) == 0)
            return 0;
    }
    fprintf (stderr, "onewindow sim: cannot find onewindow-broker beside this program or in "
                     "$OW_BIN_DIR; build it with 'make'\n");
    return -1;
}

int
sim_find_etc (const char *name, char *out, size_t size)
{
    char self[PATH_MAX];
    if (s_self_dir (self, sizeof self) == 0) {
        const char *tries[] = {"%s/../etc/%s", "%s/../../../etc/%s", "%s/../share/onewindow/%s"};
        for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
            snprintf (out, size, tries[i], self, name);
            if (access (out, R_OK) == 0)
                return 0;
        }
    }
    const char *src = getenv ("OW_SRC_DIR");
    snprintf (out, size, "%s/etc/%s", src && *src ? src : ".", name);
    return access (out, R_OK) == 0 ? 0 : -1;
}

int
sim_broker_dir (sim_broker_t *b, const char *keep)
{
    if (keep) {
        if (mkdir (keep, 0755) != 0 && errno != EEXIST) {
            fprintf (stderr, "onewindow sim: cannot create %s: %s\n", keep, strerror (errno));
            return -1;
        }
        char probe[512];
        snprintf (probe, sizeof probe, "%s/data", keep);
        if (access (probe, F_OK) == 0) {
            fprintf (stderr, "onewindow sim: %s holds a store already; give a new directory\n",
                     keep);
            return -1;
        }
        char *real = realpath (keep, NULL);
        snprintf (b->dir, sizeof b->dir, "%s", real ? real : keep);
        free (real);
        b->keep = true;
        return 0;
    }
    const char *base = access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv ("TMPDIR");
    snprintf (b->dir, sizeof b->dir, "%s/owsim.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp (b->dir)) {
        fprintf (stderr, "onewindow sim: cannot make a temp directory: %s\n", strerror (errno));
        return -1;
    }
    return 0;
}

//  In the child: the log as stdout and stderr, then the broker.
static void
s_exec (const char *prog, const char *log, char **argv)
{
    //  The broker dies with the simulator, whatever ends it.
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    int fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2 (fd, STDOUT_FILENO);
        dup2 (fd, STDERR_FILENO);
        close (fd);
    }
    execv (prog, argv);
    fprintf (stderr, "cannot exec %s: %s\n", prog, strerror (errno));
    _exit (127);
}

int
sim_broker_start (sim_broker_t *b, const char *config, int64_t start_ms)
{
    char prog[PATH_MAX + 32];
    if (s_broker_path (prog, sizeof prog) != 0)
        return -1;
    if (strlen (b->dir) > 90) {
        fprintf (stderr,
                 "onewindow sim: the directory path %s is too long for an ipc:// "
                 "endpoint; use a shorter one\n",
                 b->dir);
        return -1;
    }
    char data[512], pub[512], clock_arg[64], cfg[PATH_MAX];
    snprintf (data, sizeof data, "%s/data", b->dir);
    snprintf (b->req, sizeof b->req, "ipc://%s/req", b->dir);
    snprintf (pub, sizeof pub, "ipc://%s/pub", b->dir);
    snprintf (b->log, sizeof b->log, "%s/broker.log", b->dir);
    snprintf (clock_arg, sizeof clock_arg, "sim:%lld", (long long)start_ms);
    if (!realpath (config, cfg)) {
        fprintf (stderr, "onewindow sim: cannot read %s: %s\n", config, strerror (errno));
        return -1;
    }
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid < 0) {
        fprintf (stderr, "onewindow sim: cannot fork: %s\n", strerror (errno));
        return -1;
    }
    if (pid == 0) {
        char *argv[] = {prog,    "--config", cfg,       "--data",  data,         "--bind", b->req,
                        "--pub", pub,        "--clock", clock_arg, "--insecure", NULL};
        s_exec (prog, b->log, argv);
    }
    b->pid = pid;
    return 0;
}

//  Stops the process (SIGTERM) and waits for it.
static void
s_kill (sim_broker_t *b)
{
    if (b->pid > 0) {
        kill (b->pid, SIGTERM);
        int st;
        waitpid (b->pid, &st, 0);
        b->pid = 0;
    }
}

int
sim_broker_restart (sim_broker_t *b, const char *config, int64_t start_ms)
{
    s_kill (b);
    char data[512];
    snprintf (data, sizeof data, "%s/data", b->dir);
    s_rmtree (data);
    remove (b->log);
    return sim_broker_start (b, config, start_ms);
}

bool
sim_broker_alive (sim_broker_t *b)
{
    if (b->pid <= 0)
        return false;
    int st;
    if (waitpid (b->pid, &st, WNOHANG) == b->pid) {
        b->pid = 0;
        return false;
    }
    return true;
}

void
sim_broker_show_log (const sim_broker_t *b)
{
    FILE *f = fopen (b->log, "r");
    if (!f)
        return;
    fprintf (stderr, "--- %s ---\n", b->log);
    char line[1024];
    while (fgets (line, sizeof line, f))
        fputs (line, stderr);
    fclose (f);
}

void
sim_broker_stop (sim_broker_t *b)
{
    s_kill (b);
    if (b->dir[0] && !b->keep)
        s_rmtree (b->dir);
    b->dir[0] = 0;
}
