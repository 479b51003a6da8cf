import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.choices import OrganisationKind
from techmarket.achievements.choices import AchievementState
from techmarket.contracts import demo as contracts_demo
from techmarket.contracts.choices import ContractState
from techmarket.core.codes import HUBEI_REGIONS, import_regions, load_classifications
from techmarket.portal import demo, processes
from techmarket.trading import demo as trading_demo
from techmarket.trading.choices import ListingState


class Command(BaseCommand):
    help = (
        "Set up a demo database (Hubei regions, organisations, one account per role, achievements in "
        "every state) and serve it at 127.0.0.1:PORT with DEBUG on, with the background worker beside the "
        "web server (both stop on Ctrl+C)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--no-serve", action="store_true", help="set up the data and exit")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="serve without the background worker (run `techmarket worker` yourself)",
        )
        parser.add_argument("--achievements", type=int, default=500, help="achievements to create")
        parser.add_argument(
            "--organisations",
            type=int,
            default=32,
            help=f"organisations to create (at least {demo.CORE_ORGANISATIONS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        load_classifications()
        report = import_regions(HUBEI_REGIONS)
        if not report.ok:
            raise CommandError("\n".join(report.lines()))
        if demo.demo_exists():
            self.stdout.write(_("演示数据已存在，未重复创建。"))
            demo.enrol_second_factors()
        else:
            started = time.monotonic()
            summary = demo.create_demo(
                achievements_count=options["achievements"], organisations_count=options["organisations"]
            )
            self.write_summary(summary, time.monotonic() - started)
        self.write_accounts()
        if not options["no_serve"]:
            port = options["port"]
            os.environ["DEBUG"] = "1"
            os.environ["PORT"] = str(port)
            worker = not options["no_worker"] and settings.HUEY.get("immediate") is not True
            if worker:
                self.stdout.write(_("后台任务进程（导入校验、响应时限提醒）随服务一同启动。"))
            self.stdout.write(_("在 http://127.0.0.1:%(port)d/ 启动服务（Ctrl+C 退出）…") % {"port": port})
            self.stdout.flush()
            status = processes.run_together(processes.demo_children(port=port, worker=worker))
            if status:
                raise CommandError(_("服务进程异常退出（状态 %(status)d）。") % {"status": status})

    def write_summary(self, summary: demo.DemoSummary, seconds: float) -> None:
        kinds = dict(OrganisationKind.choices)
        states = dict(AchievementState.choices)
        self.stdout.write(
            _(
                "已创建演示数据（%(seconds).1f 秒）：%(organisations)d 个单位（%(pending)d 个待认证），%(users)d 个用户。"
            )
            % {
                "seconds": seconds,
                "organisations": sum(summary.organisations.values()),
                "pending": summary.pending_organisations,
                "users": summary.users,
            }
        )
        self.stdout.write(
            "  "
            + "，".join(f"{kinds[kind]} {count}" for kind, count in sorted(summary.organisations.items()))
        )
        self.stdout.write(
            _("成果 %(total)d 项（受限 %(restricted)d 项）：")
            % {"total": sum(summary.states.values()), "restricted": summary.restricted}
        )
        self.stdout.write(
            "  " + "，".join(f"{states[state]} {summary.states[state]}" for state in AchievementState.values)
        )
        if summary.docking:
            self.stdout.write(
                _(
                    "需求 %(demands)d 项：%(responded)d 项已推送对接响应（%(answers)d 条答复），"
                    "%(open)d 项响应计时中（含已提醒、已超时、已督办）。"
                )
                % {"demands": sum(summary.demands.values()), **summary.docking}
            )
        if summary.conversations:
            self.stdout.write(
                _("对接对话 %(threads)d 个，共续写 %(messages)d 条消息。") % summary.conversations
            )
        if summary.catalogue:
            self.stdout.write(_("已发布 %(quarter)s 季度成果目录。") % {"quarter": summary.catalogue})
        if summary.trading is not None:
            self.write_trading(summary.trading)
        if summary.contracts is not None and summary.contracts.states:
            contract_states = dict(ContractState.choices)
            self.stdout.write(
                _("技术合同 %(total)d 份：") % {"total": sum(summary.contracts.states.values())}
                + "，".join(
                    f"{contract_states[state]} {summary.contracts.states[state]}"
                    for state in ContractState.values
                    if summary.contracts.states[state]
                )
                + _("；登记员账号 %(user)s（武汉市登记机构）。") % {"user": summary.contracts.registrar}
            )
            if summary.contracts.history:
                self.stdout.write(
                    _(
                        "另有近两年全省已登记并到账的技术合同 %(count)d 份（省级登记员账号 %(user)s），供统计监测浏览。"
                    )
                    % {"count": summary.contracts.history, "user": contracts_demo.PROVINCE_REGISTRAR}
                )
        if summary.subsidies is not None:
            self.stdout.write(
                _("政策奖补：%(year)s 年度奖补名单已公示，%(awards)d 项，合计 %(total)s 元。")
                % {
                    "year": summary.subsidies.year,
                    "awards": summary.subsidies.awards,
                    "total": summary.subsidies.total,
                }
            )

    def write_trading(self, made: trading_demo.DemoTrading) -> None:
        listing_states = dict(ListingState.choices)
        self.stdout.write(
            _("挂牌项目 %(total)d 项：") % {"total": sum(made.states.values())}
            + "，".join(f"{listing_states[state]} {made.states[state]}" for state in ListingState.values)
        )
        if made.running_auction is not None and made.running_ends_at is not None:
            self.stdout.write(
                _(
                    "正在进行的竞价：/trading/auctions/%(id)d/，将于 %(time)s 结束（后台任务到时自动结束竞价）；"
                    "竞买人账号 %(buyers)s 已缴保证金，可分别登录出价。"
                )
                % {
                    "id": made.running_auction,
                    "time": timezone.localtime(made.running_ends_at).strftime("%H:%M"),
                    "buyers": "、".join(trading_demo.BUYERS),
                }
            )

    def write_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": demo.DEMO_PASSWORD})
        header = (_("用户名"), _("密码"), _("角色"), _("范围"))
        self.write_table([header, *(row[:4] for row in demo.account_rows())])
        others = demo.other_account_rows()
        if others:
            self.stdout.write(_("其他演示账号（各单位管理员、各市县审核员）："))
            self.write_table([header, *others])
        if settings.TECHMARKET["TWO_FACTOR_ROLES"]:
            self.stdout.write("")
            self.stdout.write(
                _(
                    "审核员、技术合同登记员和平台管理员登录时还需两步验证码：在手机验证器应用中手动添加密钥 %(secret)s"
                    "（所有演示账号共用），或运行 techmarket totp-code 查看当前验证码。"
                )
                % {"secret": demo.DEMO_TOTP_SECRET}
            )

    def write_table(self, rows: list[tuple[str, ...]]) -> None:
        widths = [max(_display_width(str(row[i])) for row in rows) for i in range(3)]
        for row in rows:
            cells = [
                str(cell) + " " * (width - _display_width(str(cell)))
                for cell, width in zip(row[:3], widths, strict=True)
            ]
            self.stdout.write("  " + "  ".join([*cells, str(row[3])]))


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
