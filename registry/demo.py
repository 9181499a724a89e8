"""Demo personas: one account for every role, listed on the start page while DEMO_MODE is on."""

from __future__ import annotations

DEMO_PASSWORD = "Demo-2026-cq"

# (username, role, description shown on the start page)
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("zhangsan", "applicant", "申请人 张三（已取得建筑工程资格，尚未注册）"),
    ("lisi", "applicant", "申请人 李四（已注册建筑工程，可延续、增项、变更或注销）"),
    ("corp_a", "enterprise", "企业经办人：重庆山城建设工程有限公司（渝中区，已认证）"),
    ("corp_b", "enterprise", "企业经办人：重庆两江路桥建设有限公司（渝北区，已认证）"),
    ("reviewer", "reviewer", "审批人员：市住房城乡建委"),
    ("district_yz", "district", "区县主管部门：渝中区"),
    ("district_yb", "district", "区县主管部门：渝北区"),
    ("service", "service_centre", "重庆市工程建设政务服务中心工作人员"),
    ("admin", "admin", "系统管理员"),
]
