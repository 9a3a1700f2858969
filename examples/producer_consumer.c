/*
 * producer_consumer.c - two threads: the producer allocates messages, the
 * consumer frees them. Every message is a cross-thread free.
 *
 * Expected: MESSAGES allocations of struct message (by the producer thread,
 * named "producer"), each with a payload buffer (strdup'ed text), all freed
 * by the consumer thread ("consumer"): 2*MESSAGES cross-thread frees, no
 * leak.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGES 1000
#define QUEUE 64

struct message {
    int seq;
    char *text;
};

static struct message *queue[QUEUE];
static int head, tail, count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
    (void)arg;
    pthread_setname_np(pthread_self(), "producer");
    for (int i = 0; i < MESSAGES; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "message %d", i);
        struct message *msg = malloc(sizeof *msg);
        msg->seq = i;
        msg->text = strdup(buf);
        pthread_mutex_lock(&lock);
        while (count == QUEUE)
            pthread_cond_wait(&not_full, &lock);
        queue[tail] = msg;
        tail = (tail + 1) % QUEUE;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    long *sum = arg;
    pthread_setname_np(pthread_self(), "consumer");
    for (int i = 0; i < MESSAGES; i++) {
        pthread_mutex_lock(&lock);
        while (count == 0)
            pthread_cond_wait(&not_empty, &lock);
        struct message *msg = queue[head];
        head = (head + 1) % QUEUE;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
        *sum += msg->seq + (long)strlen(msg->text);
        free(msg->text);
        free(msg);
    }
    return NULL;
}

int main(void) {
    pthread_t p, c;
    long sum = 0;
    pthread_create(&p, NULL, producer, NULL);
    pthread_create(&c, NULL, consumer, &sum);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    printf("producer_consumer: %ld\n", sum);
    return 0;
}
