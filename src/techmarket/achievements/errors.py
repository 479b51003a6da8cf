from django.utils.translation import gettext_lazy as _

SECRET_REFUSED_MESSAGE = _(
    "涉密成果不得在线登记，本平台不会保存任何涉密内容。请按照《科学技术保密规定》，经本单位保密管理部门审查后，"
    "通过离线渠道（涉密载体报送）向科技行政部门成果登记机构办理登记。"
)
