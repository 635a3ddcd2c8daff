from django.db import models

from tongban.common.choices import ApplicantKind, ItemCategory

__all__ = [
    "ApplicantKind",
    "CaseKind",
    "ItemCategory",
    "ItemEventKind",
    "ItemStatus",
    "ItemType",
    "LifeEvent",
    "LimitUnit",
    "MaterialForm",
    "MaterialSource",
    "OnlineDepth",
    "ServiceLevel",
]


class ItemType(models.TextChoices):
    """National item type codes (事项类型)."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    PAYMENT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已废止"


class ItemEventKind(models.TextChoices):
    CREATED = "created", "新建事项"
    UPDATED = "updated", "修改草稿"
    NEW_VERSION = "new_version", "新建版本"
    PUBLISHED = "published", "发布"
    SUPERSEDED = "superseded", "被新版本取代"
    RETIRED = "retired", "废止"
    IMPORTED = "imported", "导入"
    MATERIAL_ADDED = "material_added", "添加材料"
    MATERIAL_UPDATED = "material_updated", "修改材料"
    MATERIAL_REMOVED = "material_removed", "删除材料"
    MATERIALS_REORDERED = "materials_reordered", "调整材料顺序"
    PROCESS_UPDATED = "process_updated", "修改办理流程"


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working", "工作日"
    NATURAL_DAYS = "natural", "自然日"


class ProcessingMode(models.TextChoices):
    """How an item's applications are decided, for the statutory limit and its extension (行政许可法
    第四十二条): alone, 20 days + one extension of 10 with the head's approval; unified / joint /
    concentrated processing (第二十六条), 45 days + 15 with the approval of the government's head."""

    SINGLE = "single", "单独办理（法定延长 10 个工作日）"
    JOINT = "joint", "统一办理、联合办理或集中办理（法定延长 15 个工作日）"


class CaseKind(models.TextChoices):
    IMMEDIATE = "immediate", "即办件"
    PROMISED = "promised", "承诺件"


class ServiceLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    DISTRICT = "district", "区级"
    STREET = "street", "街道级"
    COMMUNITY = "community", "社区级"


class OnlineDepth(models.IntegerChoices):
    CONSULT = 1, "一级：在线咨询"
    RECEIVE = 2, "二级：在线收件"
    PRE_REVIEW = 3, "三级：在线预审"
    ACCEPT = 4, "四级：在线受理"
    HANDLE = 5, "五级：全程网办"
    RESULT = 6, "六级：结果在线反馈"
    E_LICENCE = 7, "七级：电子证照反馈"


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    BOTH = "both", "纸质或电子"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人提交"
    SHARED = "shared", "共享获取（免提交）"
    ISSUED = "issued", "政府部门核发"


class LifeEvent(models.TextChoices):
    """人生事件 / 企业生命周期 for browsing the guide."""

    BIRTH = "birth", "出生"
    SCHOOL = "school", "入学"
    EMPLOYMENT = "employment", "就业"
    MARRIAGE = "marriage", "结婚"
    HOUSING = "housing", "住房"
    RESIDENCE = "residence", "户籍与居住"
    HEALTH = "health", "医疗与社保"
    DISABILITY = "disability", "残疾人服务"
    RETIREMENT = "retirement", "退休"
    DEATH = "death", "身后事"
    START_BUSINESS = "start_business", "开办企业"
    OPERATE_BUSINESS = "operate_business", "经营许可"
    CONSTRUCTION = "construction", "工程建设"
    CLOSE_BUSINESS = "close_business", "企业注销"
