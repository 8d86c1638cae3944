/*
 * mock_transport.c -- scripted cpj_transport (see mock_transport.h).
 */
#include <string.h>

#include "mock_transport.h"

static int
tr_recv(void *ctx, unsigned char *buf, size_t len)
{
	mock_tr *m = ctx;
	size_t n;

	m->recv_calls++;
	if (buf == NULL || len == 0)
		return CPJ_ERR_PARAM;
	if (m->zeros > 0) {
		m->zeros--;
		return 0;
	}
	if (m->recv_fault != 0 && m->pos >= m->recv_fault_at)
		return m->recv_fault;
	if (m->pos >= m->reply_len)
		return m->end_err;
	n = m->reply_len - m->pos;
	if (n > len)
		n = len;
	if (m->chunk != 0 && n > m->chunk)
		n = m->chunk;
	if (m->recv_fault != 0 && n > m->recv_fault_at - m->pos)
		n = m->recv_fault_at - m->pos;
	memcpy(buf, m->reply + m->pos, n);
	m->pos += n;
	return (int)n;
}

static int
tr_send(void *ctx, const unsigned char *buf, size_t len)
{
	mock_tr *m = ctx;
	size_t n = len, keep;

	if (buf == NULL || len == 0)
		return CPJ_ERR_PARAM;
	if (m->send_calls < MOCK_TR_SENDS_MAX)
		m->send_sizes[m->send_calls] = 0;
	m->send_calls++;
	if (m->send_fault != 0 && m->sent_total >= m->send_fault_at)
		return m->send_fault;
	if (m->send_max != 0 && n > m->send_max)
		n = m->send_max;
	if (m->send_fault != 0 && n > m->send_fault_at - m->sent_total)
		n = m->send_fault_at - m->sent_total;
	if (n == 0)
		return m->send_fault;
	keep = n;
	if (keep > MOCK_TR_SENT_MAX - m->sent_len)
		keep = MOCK_TR_SENT_MAX - m->sent_len;
	memcpy(m->sent + m->sent_len, buf, keep);
	m->sent_len += keep;
	m->sent_total += n;
	if (m->send_calls <= MOCK_TR_SENDS_MAX)
		m->send_sizes[m->send_calls - 1] = n;
	return (int)n;
}

void
mock_tr_init(mock_tr *m, const void *reply, size_t len)
{
	memset(m, 0, sizeof *m);
	m->reply = reply;
	m->reply_len = len;
	m->end_err = CPJ_ERR_NET_CLOSED;
}

void
mock_tr_transport(mock_tr *m, cpj_transport *out)
{
	out->recv = tr_recv;
	out->send = tr_send;
	out->ctx = m;
}

void
mock_tr_set_chunk(mock_tr *m, size_t max)
{
	m->chunk = max;
}

void
mock_tr_set_send_max(mock_tr *m, size_t max)
{
	m->send_max = max;
}

void
mock_tr_fault_recv(mock_tr *m, size_t offset, int err)
{
	m->recv_fault_at = offset;
	m->recv_fault = err;
}

void
mock_tr_fault_send(mock_tr *m, size_t offset, int err)
{
	m->send_fault_at = offset;
	m->send_fault = err;
}

void
mock_tr_zero_recvs(mock_tr *m, unsigned n)
{
	m->zeros = n;
}
