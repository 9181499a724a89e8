"""The audit log in words: a Chinese label for each action code and a readable line for its details.

The action codes are those passed to ``registry.audit.log.log_action``; an unknown code shows itself,
so a new action is never hidden, only unlabelled until it is added here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "applications.application.created": _("创建申请"),
    "applications.application.submit": _("提交申请"),
    "applications.application.return": _("企业退回申请"),
    "applications.application.confirm": _("企业确认申请"),
    "applications.application.not_accept": _("数据比对未通过，不予受理"),
    "applications.application.pass": _("数据比对通过"),
    "applications.application.accept": _("受理申请"),
    "applications.application.approve": _("准予注册"),
    "applications.application.refuse": _("不予许可"),
    "applications.application.request_supplement": _("要求补正材料"),
    "applications.application.resubmit_supplement": _("补正后重新提交"),
    "applications.application.complete_cancellation": _("办结注销"),
    "applications.application.withdraw": _("撤回申请"),
    "applications.refusal_decision.issued": _("签发不予许可决定书"),
    "applications.material.uploaded": _("上传材料"),
    "applications.material.removed": _("删除材料"),
    "applications.registration.renewed": _("延续注册"),
    "applications.registration.specialty_added": _("增项注册"),
    "applications.registration.cancelled": _("注销注册"),
    "applications.registration.specialties_cancelled": _("注销部分专业"),
    "applications.registration.created": _("初始注册"),
    "certificates.certificate.issued": _("签发电子证书"),
    "certificates.certificate.not_issued": _("电子证书未能签发"),
    "certificates.certificate.downloaded": _("下载电子证书"),
    "certificates.certificate.superseded": _("证书因换发新证失效"),
    "certificates.certificate.cancelled": _("证书注销"),
    "certificates.certificate.expired": _("证书过期"),
    "certificates.certificate.revoked": _("证书撤销"),
    "certificates.files.orphans_removed": _("清理无主证书文件"),
    "certificates.legacy.imported": _("导入原系统证书"),
    "certificates.paper.claimed": _("纸质证书持有人领取电子证书"),
    "outbox.message.parked": _("外发消息暂停重试"),
    "outbox.message.retried": _("外发消息重新发送"),
    "outbox.subscription.registered": _("登记消息订阅"),
    "outbox.subscription.removed": _("删除消息订阅"),
    "people.audit.exported": _("导出审计日志"),
    "people.enterprise.auth_refused": _("企业身份认证未通过"),
    "people.enterprise.authenticated": _("企业身份认证通过"),
    "people.enterprise.credit_code_overridden": _("覆盖信用代码校验"),
    "people.enterprise.lock_lost": _("登记身份锁遗失"),
    "people.enterprise.onsite_refused": _("现场认证未通过"),
    "people.enterprise.onsite_requested": _("申请现场认证"),
    "people.enterprise.scan_opened": _("查看认证材料扫描件"),
    "people.face.onsite_recorded": _("登记现场人脸核验"),
    "people.face.passed": _("人脸识别通过"),
    "people.face.refused": _("人脸识别未通过"),
    "people.lock.revoked": _("身份锁作废"),
    "people.operator.added": _("添加经办人"),
    "people.operator.can_confirm_changed": _("变更经办人确认权限"),
    "people.operator.removed": _("移除经办人"),
    "people.password.changed": _("修改密码"),
    "people.password.legacy_upgraded": _("原系统密码升级"),
    "people.person.lookup_missed": _("查询人员未找到"),
    "people.person.viewed_full": _("查看完整个人信息"),
    "people.signin.failed": _("登录失败"),
    "people.signin.level_too_low": _("实名等级不足，拒绝登录"),
    "people.signin.succeeded": _("登录成功"),
    "people.signin.identity_conflict": _("登录身份冲突"),
    "people.signout": _("退出登录"),
    "people.user.role_changed": _("变更账号角色"),
    "people.ykb.credit_code_changed": _("渝快办企业信用代码变更"),
    "people.ykb.linked": _("绑定渝快办账号"),
    "workcalendar.year.loaded": _("导入工作日历"),
    "workcalendar.year.created": _("新建工作日历"),
    "workcalendar.year.changed": _("修改工作日历"),
    "workcalendar.year.deleted": _("删除工作日历"),
}

# Keys of the details, in words; a key not listed shows itself.
DETAIL_LABELS = {
    "reference": _("申请编号"), "from": _("原状态"), "to": _("新状态"), "reason": _("原因"),
    "method": _("方式"), "state_changed": _("状态已变更"), "bound": _("绑定账号"), "onsite_required": _("须现场认证"),
    "throttled": _("已限流"), "username": _("账号"), "year": _("年度"), "published": _("已发布"),
    "holidays": _("节假日天数"), "workdays": _("调休工作日天数"), "days": _("特殊日期天数"), "source": _("来源"),
    "kind": _("类型"), "filters": _("筛选条件"), "id_number": _("身份证号"), "number": _("编号"),
    "document_number": _("文书编号"), "serial": _("序号"), "sha256": _("SHA-256"), "size": _("大小"),
}


def action_label(code: str) -> str:
    """Return the Chinese label of an action code; an unknown code is shown as it is."""
    return str(ACTION_LABELS.get(code, code))


def _value_text(value: Any, values: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return "、".join(_value_text(v, values) for v in value) or "—"
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, k)}：{_value_text(v, values)}" for k, v in value.items())
    text = str(value)
    return str(values.get(text, text))


def details_text(details: dict[str, Any] | None, values: dict[str, str] | None = None) -> str:
    """Return the details as one readable line ("原状态：待企业确认；新状态：…"); codes in ``values`` get their labels."""
    if not details:
        return ""
    values = values or {}
    if not isinstance(details, dict):
        return str(details)
    return "；".join(f"{DETAIL_LABELS.get(k, k)}：{_value_text(v, values)}" for k, v in details.items())
