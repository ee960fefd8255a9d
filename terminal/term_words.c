/*  term_words.c — see term_words.h. */
#include "term_words.h"

#include <stdio.h>
#include <string.h>

//  Every state, level and role name the protocol sends (PROTOCOL.md sections 1.2 and 6).
//  One string can name two things ("serving": a ticket and a counter; "overdue": a slot
//  and a case warning; "paused": a counter and a case clock); each has one Chinese name
//  that fits both.
static const struct {
    const char *word, *zh;
} s_words[] = {
    //  Tickets (6.4)
    {"waiting", "排队中"},
    {"called", "已叫号"},
    {"serving", "办理中"},
    {"done", "已办完"},
    {"missed", "已过号"},
    {"cancelled", "已取消"},
    {"expired", "已失效"},
    {"parked", "已挂起"},
    //  Counters (6.6)
    {"logged_out", "未登录"},
    {"idle", "空闲"},
    {"calling", "呼叫中"},
    {"paused", "暂停"},
    //  Cases (6.11)
    {"received", "已收件"},
    {"supplement_pending", "待补正"},
    {"accepted", "已受理"},
    {"in_review", "审核中"},
    {"special_procedure", "特别程序"},
    {"approved", "已准予"},
    {"denied", "不予许可"},
    {"awaiting_pickup", "待领取"},
    {"ready_for_pickup", "柜中待取"},
    {"collected", "已取件"},
    {"not_accepted", "不予受理"},
    {"withdrawn", "已撤回"},
    //  Cabinet slots (6.18)
    {"free", "空闲"},
    {"reserved", "已预留"},
    {"deposit_open", "存件中"},
    {"occupied", "有件"},
    {"pickup_open", "取件中"},
    {"overdue", "超期"},
    {"recovery_open", "回收中"},
    {"disabled", "停用"},
    //  ... their alarms
    {"ajar", "门未关"},
    {"jammed", "卡锁"},
    {"uncommanded_open", "异常开门"},
    {"board_offline", "锁板离线"},
    {"incident", "事件"},
    {"lockout", "锁定"},
    //  ... their clocks (6.12) and deadline warnings (6.15)
    {"running", "计时中"},
    {"stopped", "已停止计时"},
    {"yellow", "黄灯"},
    {"red", "红灯"},
    {"statutory_overdue", "超法定期限"},
    {"pickup_overdue", "取件超期"},
    {"issue_overdue", "发证超期"},
    //  ... their doors
    {"open", "开"},
    {"closed", "关"},
    //  Bookings (6.16)
    {"booked", "已预约"},
    {"checked_in", "已签到"},
    {"no_show", "爽约"},
    //  Device roles (1.2)
    {"kiosk", "取号机"},
    {"counter", "窗口"},
    {"office", "后台审批"},
    {"vault", "智能柜"},
    {"board", "叫号屏"},
    {"monitor", "大厅监控"},
    {"web", "网页网关"},
    {"admin", "管理员"},
};

const char *
term_zh (const char *word)
{
    if (!word)
        return "";
    for (size_t i = 0; i < sizeof s_words / sizeof s_words[0]; i++)
        if (strcmp (s_words[i].word, word) == 0)
            return s_words[i].zh;
    return word;
}

const char *
term_minutes (long long ms, bool zh, bool round_up, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    long long min = ms / 60000 + (round_up && ms % 60000 != 0);
    if (min < 60)
        snprintf (buf, size, zh ? "%lld 分钟" : "%lld min", min);
    else if (min % 60 == 0)
        snprintf (buf, size, zh ? "%lld 小时" : "%lld h", min / 60);
    else
        snprintf (buf, size, zh ? "%lld 小时 %lld 分钟" : "%lld h %lld min", min / 60, min % 60);
    return buf;
}
