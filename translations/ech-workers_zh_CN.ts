<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>RoutingModes</name>
    <message>
        <source>Global</source>
        <translation>全局</translation>
    </message>
    <message>
        <source>Everything goes through the tunnel.</source>
        <translation>所有流量都经过隧道。</translation>
    </message>
    <message>
        <source>Bypass mainland China</source>
        <translation>绕过中国大陆</translation>
    </message>
    <message>
        <source>Addresses in mainland China go direct; everything else through the tunnel.</source>
        <translation>中国大陆的地址直连，其余流量经过隧道。</translation>
    </message>
    <message>
        <source>None (direct)</source>
        <translation>不代理（直连）</translation>
    </message>
    <message>
        <source>Everything goes direct; the proxy runs but tunnels nothing.</source>
        <translation>所有流量直连；代理仍在运行，但不经隧道转发任何流量。</translation>
    </message>
</context>
<context>
    <name>echw::AppController</name>
    <message>
        <source>Demo traffic is running. Try it yourself:
  curl --socks5-hostname %1 http://localhost:%2/bytes/50000000 -o /dev/null
  curl -x http://%1 http://localhost:%2/hello</source>
        <translation>演示流量正在运行。您也可以自己试试：
  curl --socks5-hostname %1 http://localhost:%2/bytes/50000000 -o /dev/null
  curl -x http://%1 http://localhost:%2/hello</translation>
    </message>
    <message>
        <source>The proxy did not start</source>
        <translation>代理未能启动</translation>
    </message>
    <message>
        <source>The local demo did not start</source>
        <translation>本地演示未能启动</translation>
    </message>
    <message>
        <source>Settings could not be read</source>
        <translation>无法读取设置</translation>
    </message>
    <message>
        <source>%1
The file was moved to %2; the defaults are used.</source>
        <translation>%1
该文件已移至 %2，现使用默认设置。</translation>
    </message>
    <message>
        <source>%1
The file was left as it is and will not be overwritten.</source>
        <translation>%1
该文件保持原样，不会被覆盖。</translation>
    </message>
    <message>
        <source>No system tray was found: this window is the app&apos;s home, and closing it quits.</source>
        <translation>未找到系统托盘：本窗口即应用主界面，关闭它将退出应用。</translation>
    </message>
    <message>
        <source>Import servers</source>
        <translation>导入服务器</translation>
    </message>
    <message numerus="yes">
        <source>Settings of the ECH Workers Python GUI were found at %1 with %n server(s). Import them?</source>
        <translation>
            <numerusform>在 %1 找到 ECH Workers Python 图形界面的设置，其中有 %n 个服务器。要导入吗？</numerusform>
        </translation>
    </message>
    <message>
        <source>Some entries were not imported</source>
        <translation>部分条目未能导入</translation>
    </message>
    <message>
        <source>starting the local demo server</source>
        <translation>正在启动本地演示服务器</translation>
    </message>
    <message>
        <source>Settings were not saved</source>
        <translation>设置未能保存</translation>
    </message>
    <message>
        <source>ECH Workers is still running</source>
        <translation>ECH Workers 仍在运行</translation>
    </message>
    <message>
        <source>The proxy keeps running in the tray. Quit from its menu.</source>
        <translation>代理会在托盘中继续运行。如需退出，请使用托盘菜单。</translation>
    </message>
    <message>
        <source>The new settings were not applied</source>
        <translation>新设置未能应用</translation>
    </message>
    <message>
        <source>Start at login was not turned on</source>
        <translation>未能开启登录时启动</translation>
    </message>
    <message>
        <source>Start at login was not turned off</source>
        <translation>未能关闭登录时启动</translation>
    </message>
    <message>
        <source>The system proxy was not changed</source>
        <translation>系统代理未更改</translation>
    </message>
    <message>
        <source>

For programs started from a terminal:
%1</source>
        <translation>

从终端启动的程序可用：
%1</translation>
    </message>
    <message>
        <source>The system proxy cannot be set here</source>
        <translation>此处无法设置系统代理</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Paste it into a terminal: programs started there use the proxy.</source>
        <translation>粘贴到终端中：在其中启动的程序将使用此代理。</translation>
    </message>
    <message>
        <source>The local demo sends everything through the tunnel, to show it; routing applies to your own servers.</source>
        <translation>本地演示让所有流量经过隧道以便展示；路由模式只对你自己的服务器生效。</translation>
    </message>
</context>
<context>
    <name>echw::ClosedConnectionModel</name>
    <message>
        <source>Closed</source>
        <translation>关闭于</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Via</source>
        <translation>入站</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>匹配项</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>When the connection ended (to within a second)</source>
        <translation>连接结束的时间（精确到秒）</translation>
    </message>
    <message>
        <source>Bytes the client sent over the whole connection</source>
        <translation>客户端在整个连接中发送的字节数</translation>
    </message>
    <message>
        <source>Bytes the client received over the whole connection</source>
        <translation>客户端在整个连接中接收的字节数</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>echw::ConnectionTableModel</name>
    <message>
        <source>deciding…</source>
        <translation>判定中…</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Via</source>
        <translation>入站</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>匹配项</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Up/s</source>
        <translation>上传速率</translation>
    </message>
    <message>
        <source>Down/s</source>
        <translation>下载速率</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
</context>
<context>
    <name>echw::ConnectionsPanel</name>
    <message>
        <source>Filter by target, inbound, route or rule</source>
        <translation>按目标、入站、路由或规则筛选</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>The connections open now</source>
        <translation>当前打开的连接</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message numerus="yes">
        <source>The last %n connections that finished, with their final counts</source>
        <translation>
            <numerusform>最近结束的 %n 个连接及其最终流量</numerusform>
        </translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the selected connections</source>
        <translation>关闭选中的连接</translation>
    </message>
    <message>
        <source>Close All</source>
        <translation>全部关闭</translation>
    </message>
    <message>
        <source>Close every connection the filter shows</source>
        <translation>关闭筛选结果中的所有连接</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Forget the finished connections</source>
        <translation>清除已结束连接的记录</translation>
    </message>
    <message>
        <source>Close connection</source>
        <translation>关闭连接</translation>
    </message>
    <message numerus="yes">
        <source>Resume (%n finished)</source>
        <translation>
            <numerusform>继续（%n 个已结束）</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Show the connections as they are now</source>
        <translation>显示连接的当前状态</translation>
    </message>
    <message>
        <source>Stop updating the tables while you read</source>
        <translation>阅读时暂停刷新表格</translation>
    </message>
    <message numerus="yes">
        <source>%n finished connections are missing here: more ended at once than the history takes in.</source>
        <translation>
            <numerusform>有 %n 个已结束的连接未记录：同时结束的连接超过了历史记录的接收上限。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>echw::DashboardFormat</name>
    <message>
        <source>direct</source>
        <translation>直连</translation>
    </message>
    <message>
        <source>tunnel</source>
        <translation>隧道</translation>
    </message>
    <message>
        <source>block</source>
        <translation>拦截</translation>
    </message>
    <message>
        <source>rule %1: %2</source>
        <translation>规则 %1：%2</translation>
    </message>
    <message>
        <source>in China list %1</source>
        <translation>在中国 IP 列表 %1 中</translation>
    </message>
    <message>
        <source>not in China list</source>
        <translation>不在中国 IP 列表中</translation>
    </message>
    <message>
        <source>routing: %1</source>
        <translation>路由模式：%1</translation>
    </message>
    <message>
        <source>name did not resolve</source>
        <translation>域名无法解析</translation>
    </message>
</context>
<context>
    <name>echw::DashboardWindow</name>
    <message>
        <source>tunnel not opened yet</source>
        <translation>隧道尚未建立</translation>
    </message>
    <message>
        <source>ECH accepted</source>
        <translation>ECH 已被接受</translation>
    </message>
    <message>
        <source>No-ECH mode: the server name is sent in clear</source>
        <translation>无 ECH 模式：服务器名称以明文发送</translation>
    </message>
    <message>
        <source>Tunnel failing: %1</source>
        <translation>隧道故障：%1</translation>
    </message>
    <message>
        <source>ECH Workers</source>
        <translation>ECH Workers</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>No worker yet? A demo server on this machine shows the whole path — local proxy, TLS 1.3 with Encrypted Client Hello, WebSocket tunnel — in one click.</source>
        <translation>还没有 Worker？只需一键，本机上的演示服务器即可展示完整链路：本地代理、带加密客户端问候 (ECH) 的 TLS 1.3、WebSocket 隧道。</translation>
    </message>
    <message>
        <source>Try a local demo server</source>
        <translation>试用本地演示服务器</translation>
    </message>
    <message>
        <source>Active %1 (tunnel %2, direct %3)</source>
        <translation>活动 %1（隧道 %2，直连 %3）</translation>
    </message>
    <message>
        <source>Total %1</source>
        <translation>总计 %1</translation>
    </message>
    <message>
        <source>↑ %1  ↓ %2 total</source>
        <translation>累计 ↑ %1  ↓ %2</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>No server configured</source>
        <translation>未配置服务器</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <source>Mode: %1</source>
        <translation>模式：%1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>正在监听 %1</translation>
    </message>
    <message>
        <source>Filter by target, address, route or reason</source>
        <translation>按目标、地址、路由或原因筛选</translation>
    </message>
</context>
<context>
    <name>echw::GeneralPage</name>
    <message>
        <source>Where the local SOCKS5 and HTTP proxy listens, as address:port. Use 127.0.0.1 unless other devices should use this proxy.</source>
        <translation>本地 SOCKS5 和 HTTP 代理的监听地址，格式为“地址:端口”。除非其他设备也要使用此代理，否则请使用 127.0.0.1。</translation>
    </message>
    <message>
        <source>empty: the bundled lists</source>
        <translation>留空：使用内置列表</translation>
    </message>
    <message>
        <source>Folder with the China lists</source>
        <translation>中国 IP 列表所在的文件夹</translation>
    </message>
    <message>
        <source>empty: no rules of your own</source>
        <translation>留空：不使用自定义规则</translation>
    </message>
    <message>
        <source>Rules file</source>
        <translation>规则文件</translation>
    </message>
    <message>
        <source>Text files (*.txt *.rules);;All files (*)</source>
        <translation>文本文件 (*.txt *.rules);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Start minimized to the tray</source>
        <translation>启动时最小化到托盘</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>A new language applies after restarting the app.</source>
        <translation>更改语言后，需重启应用才能生效。</translation>
    </message>
    <message>
        <source>&amp;Listen address:</source>
        <translation>监听地址(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Routing:</source>
        <translation>路由模式(&amp;R)：</translation>
    </message>
    <message>
        <source>Rules &amp;file:</source>
        <translation>规则文件(&amp;F)：</translation>
    </message>
    <message>
        <source>empty: no login (only this machine can connect)</source>
        <translation>留空：无需登录（仅本机可连接）</translation>
    </message>
    <message>
        <source>Allow other devices without a password (an open proxy)</source>
        <translation>允许其他设备免密码使用（开放代理）</translation>
    </message>
    <message>
        <source>SOCKS5 and HTTP clients log in with this user name and password. A listen address other than 127.0.0.1 needs them, or the box above.</source>
        <translation>SOCKS5 和 HTTP 客户端使用此用户名和密码登录。监听地址不是 127.0.0.1 时需要设置它们，或勾选上面的选项。</translation>
    </message>
    <message>
        <source>Proxy &amp;user:</source>
        <translation>代理用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>Proxy &amp;password:</source>
        <translation>代理密码(&amp;P)：</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>登录时启动</translation>
    </message>
    <message>
        <source>Starts the app minimized to the tray, with the proxy running, when you log in.</source>
        <translation>登录时启动本应用：最小化到托盘，代理随之运行。</translation>
    </message>
    <message>
        <source>Set the system proxy when the proxy starts</source>
        <translation>代理启动时设置系统代理</translation>
    </message>
    <message>
        <source>Points the desktop&apos;s proxy settings at this proxy while it runs, and puts your own settings back when it stops.</source>
        <translation>代理运行时让桌面的代理设置指向此代理，停止时恢复你原来的设置。</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>Chi&amp;na lists folder:</source>
        <translation>中国 IP 列表文件夹(&amp;N)：</translation>
    </message>
    <message>
        <source>L&amp;anguage:</source>
        <translation>语言(&amp;A)：</translation>
    </message>
</context>
<context>
    <name>echw::LocalDemo</name>
    <message>
        <source>the demo server did not start within %1 s</source>
        <translation>演示服务器未能在 %1 秒内启动</translation>
    </message>
    <message>
        <source>%1 was not found next to this program or on PATH</source>
        <translation>在本程序所在目录和 PATH 中均未找到 %1</translation>
    </message>
    <message>
        <source>Local demo</source>
        <translation>本地演示</translation>
    </message>
    <message>
        <source>the demo server stopped</source>
        <translation>演示服务器已停止</translation>
    </message>
    <message>
        <source>the demo website stopped</source>
        <translation>演示网站已停止</translation>
    </message>
    <message>
        <source>the demo server printed something unexpected</source>
        <translation>演示服务器输出了意外的内容</translation>
    </message>
</context>
<context>
    <name>echw::LogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Fatal</source>
        <translation>致命</translation>
    </message>
</context>
<context>
    <name>echw::LogPanel</name>
    <message>
        <source>Debug lines are collected only while Debug is chosen</source>
        <translation>仅在选择“调试”级别时才收集调试日志</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>搜索日志</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the selected lines, or every shown line</source>
        <translation>复制选中的行，未选中时复制所有显示的行</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save every shown line to a file</source>
        <translation>将所有显示的行保存到文件</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message numerus="yes">
        <source>%n log lines were dropped before they could be shown</source>
        <translation>
            <numerusform>有 %n 行日志在显示前被丢弃</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Resume (%n new)</source>
        <translation>
            <numerusform>继续（%n 条新日志）</numerusform>
        </translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Show the lines that arrived while paused</source>
        <translation>显示暂停期间收到的日志</translation>
    </message>
    <message>
        <source>Stop adding lines while you read</source>
        <translation>阅读时暂停添加新日志</translation>
    </message>
    <message>
        <source>Save the log</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Log files (*.log *.txt)</source>
        <translation>日志文件 (*.log *.txt)</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n lines to %1</source>
        <translation>
            <numerusform>已将 %n 行保存到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not save the log: %1</source>
        <translation>无法保存日志：%1</translation>
    </message>
</context>
<context>
    <name>echw::Problem</name>
    <message>
        <source>the server has no valid id (a UUID); remove and re-add it</source>
        <translation>服务器没有有效的 ID（UUID）；请删除后重新添加</translation>
    </message>
    <message>
        <source>give the server a name</source>
        <translation>请为服务器命名</translation>
    </message>
    <message>
        <source>the token may only contain letters, digits and !#$%&amp;&apos;*+-.^_`|~ (no spaces)</source>
        <translation>令牌只能包含字母、数字和 !#$%&amp;&apos;*+-.^_`|~（不能有空格）</translation>
    </message>
    <message>
        <source>the CA file &quot;%1&quot; does not exist or is not a file</source>
        <translation>CA 文件“%1”不存在或不是文件</translation>
    </message>
    <message>
        <source>the connection limit must be between %1 and %2</source>
        <translation>连接数上限必须在 %1 到 %2 之间</translation>
    </message>
    <message>
        <source>the warm pool size must be between 0 and %1 (and not above the connection limit)</source>
        <translation>预热连接数必须在 0 到 %1 之间（且不超过连接数上限）</translation>
    </message>
    <message>
        <source>server &quot;%1&quot; has the same id as an earlier server; remove and re-add it</source>
        <translation>服务器“%1”与前面的服务器 ID 相同；请删除后重新添加</translation>
    </message>
    <message>
        <source>the active server does not exist; add a server</source>
        <translation>当前服务器不存在；请添加服务器</translation>
    </message>
    <message>
        <source>no server is selected; choose one of the servers</source>
        <translation>未选择服务器；请选择一个服务器</translation>
    </message>
    <message>
        <source>the list directory &quot;%1&quot; does not exist</source>
        <translation>列表文件夹“%1”不存在</translation>
    </message>
    <message>
        <source>the rules file &quot;%1&quot; does not exist or is not a file</source>
        <translation>规则文件“%1”不存在或不是文件</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a language code (e.g. en or zh_CN)</source>
        <translation>“%1”不是语言代码（例如 en 或 zh_CN）</translation>
    </message>
    <message>
        <source>no server is configured; add one first</source>
        <translation>尚未配置服务器；请先添加一个</translation>
    </message>
    <message>
        <source>no server is selected; choose one first</source>
        <translation>未选择服务器；请先选择一个</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>rules file</source>
        <translation>规则文件</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>DoH server</source>
        <translation>DoH 服务器</translation>
    </message>
    <message>
        <source>listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>proxy authentication</source>
        <translation>代理认证</translation>
    </message>
    <message>
        <source>metrics address</source>
        <translation>指标地址</translation>
    </message>
    <message>
        <source>serving metrics on %1 would show the network how the proxy is used: use a loopback address, or allow it (-metrics-allow-lan)</source>
        <translation>在 %1 上提供指标会让网络上的其他人看到代理的使用情况：请使用环回地址，或明确允许（-metrics-allow-lan）</translation>
    </message>
    <message>
        <source>resolver</source>
        <translation>解析器</translation>
    </message>
    <message>
        <source>UDP DNS server</source>
        <translation>UDP DNS 服务器</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not host:port (e.g. 127.0.0.1:30000)</source>
        <translation>“%1”不是 主机:端口 格式（例如 127.0.0.1:30000）</translation>
    </message>
    <message>
        <source>&quot;%1&quot; has no valid port (0-65535)</source>
        <translation>“%1”没有有效的端口（0-65535）</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IP address to listen on</source>
        <translation>“%1”不是可监听的 IP 地址</translation>
    </message>
    <message>
        <source>listening on %1 would open the proxy to the network: set a user name and password for the proxy (-auth USER:PASSWORD), or allow it without authentication (-allow-lan)</source>
        <translation>在 %1 上监听会向网络开放代理：请为代理设置用户名和密码（-auth 用户:密码），或明确允许无认证访问（-allow-lan）</translation>
    </message>
    <message>
        <source>set both a user name and a password for the proxy, or neither</source>
        <translation>请同时设置代理的用户名和密码，或都不设置</translation>
    </message>
    <message>
        <source>the user name is longer than 255 bytes</source>
        <translation>用户名超过 255 字节</translation>
    </message>
    <message>
        <source>the password is longer than 255 bytes</source>
        <translation>密码超过 255 字节</translation>
    </message>
    <message>
        <source>the user name must not contain control characters</source>
        <translation>用户名不能包含控制字符</translation>
    </message>
    <message>
        <source>the password must not contain control characters</source>
        <translation>密码不能包含控制字符</translation>
    </message>
    <message>
        <source>the user name must not contain &apos;:&apos; (HTTP Basic authentication splits there)</source>
        <translation>用户名不能包含“:”（HTTP 基本认证在此处分隔）</translation>
    </message>
    <message>
        <source>the server address is empty (expected host:port[/path])</source>
        <translation>服务器地址为空（应为 主机:端口[/路径]）</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: give host:port[/path] without a scheme</source>
        <translation>“%1”：请填写 主机:端口[/路径]，不要带协议前缀</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not host:port[/path] with a valid host and port</source>
        <translation>“%1”不是含有效主机和端口的 主机:端口[/路径]</translation>
    </message>
    <message>
        <source>the path &quot;%1&quot; contains a space or &apos;#&apos;</source>
        <translation>路径“%1”包含空格或“#”</translation>
    </message>
    <message>
        <source>the DoH server is empty</source>
        <translation>DoH 服务器为空</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a DoH server address</source>
        <translation>“%1”不是 DoH 服务器地址</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: DNS over HTTPS needs an https:// address</source>
        <translation>“%1”：DNS over HTTPS 需要 https:// 地址</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: no user name or fragment allowed</source>
        <translation>“%1”：不允许包含用户名或片段（#）</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a domain name</source>
        <translation>“%1”不是域名</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither an IP address nor a host name</source>
        <translation>“%1”既不是 IP 地址也不是主机名</translation>
    </message>
    <message>
        <source>must be debug, info, warning or error</source>
        <translation>必须是 debug、info、warning 或 error</translation>
    </message>
    <message>
        <source>invalid CIDR &quot;%1&quot; (expected ADDRESS/LENGTH, e.g. 10.0.0.0/8 or 2001:db8::/32)</source>
        <translation>无效的 CIDR“%1”（应为 地址/长度，例如 10.0.0.0/8 或 2001:db8::/32）</translation>
    </message>
    <message>
        <source>invalid prefix length &quot;%1&quot; (0 to %2)</source>
        <translation>无效的前缀长度“%1”（0 到 %2）</translation>
    </message>
    <message>
        <source>host bits are set (the network is %1/%2)</source>
        <translation>设置了主机位（网络应为 %1/%2）</translation>
    </message>
    <message>
        <source>%1 line %2: &quot;%3&quot;: %4</source>
        <translation>%1 第 %2 行：“%3”：%4</translation>
    </message>
    <message>
        <source>no action (direct, tunnel or block) after the rule</source>
        <translation>规则后缺少动作（direct、tunnel 或 block）</translation>
    </message>
    <message>
        <source>unknown action &quot;%1&quot; (direct, tunnel or block)</source>
        <translation>未知动作“%1”（direct、tunnel 或 block）</translation>
    </message>
    <message>
        <source>invalid domain &quot;%1&quot;</source>
        <translation>无效的域名“%1”</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is an address, not a domain (match addresses with cidr:ADDRESS/LENGTH)</source>
        <translation>“%1”是地址而不是域名（匹配地址请用 cidr:地址/长度）</translation>
    </message>
    <message>
        <source>invalid keyword &quot;%1&quot; (letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;)</source>
        <translation>无效的关键词“%1”（只能用字母、数字、“-”、“_”和“.”）</translation>
    </message>
    <message>
        <source>expected TYPE:VALUE with TYPE domain, suffix, keyword or cidr</source>
        <translation>应为 类型:值，类型为 domain、suffix、keyword 或 cidr</translation>
    </message>
</context>
<context>
    <name>echw::RoutingDecisionModel</name>
    <message>
        <source>hit</source>
        <translation>命中</translation>
    </message>
    <message>
        <source>miss</source>
        <translation>未命中</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Cache</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>The address was in the lookup cache: the China lists were not searched</source>
        <translation>该地址在查询缓存中：未检索中国 IP 列表</translation>
    </message>
    <message>
        <source>The address was not cached: the China lists were searched, and the answer kept for next time</source>
        <translation>该地址不在缓存中：已检索中国 IP 列表，结果已缓存供下次使用</translation>
    </message>
    <message>
        <source>No list lookup: a rule or the routing mode decided</source>
        <translation>未查询列表：由规则或路由模式决定</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>解析</translation>
    </message>
    <message>
        <source>Lookup</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>The rule, list range or routing mode that chose the route</source>
        <translation>决定路由的规则、列表网段或路由模式</translation>
    </message>
    <message>
        <source>hit: the answer came from the lookup cache; miss: the China lists were searched; —: no list lookup (a rule or the mode decided)</source>
        <translation>命中：结果来自查询缓存；未命中：检索了中国 IP 列表；—：未查询列表（由规则或模式决定）</translation>
    </message>
    <message>
        <source>Time to resolve the name (bypass_cn only)</source>
        <translation>域名解析耗时（仅绕过中国大陆模式）</translation>
    </message>
    <message>
        <source>Time for the rules and lists, after any resolution</source>
        <translation>解析之后匹配规则和列表的耗时</translation>
    </message>
</context>
<context>
    <name>echw::ServerEditor</name>
    <message>
        <source>e.g. Tokyo</source>
        <translation>例如：东京</translation>
    </message>
    <message>
        <source>The worker as host:port, optionally with a path: host:port/path</source>
        <translation>Worker 的地址，格式为“主机:端口”，可附带路径：“主机:端口/路径”</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>Connect to this IP address or host name instead of resolving the worker&apos;s host; the TLS server name stays the host.</source>
        <translation>连接到此 IP 地址或主机名，而不解析 Worker 的主机名；TLS 服务器名称仍使用原主机名。</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>No-ECH mode (plain TLS 1.3)</source>
        <translation>无 ECH 模式（普通 TLS 1.3）</translation>
    </message>
    <message>
        <source>Without ECH the worker&apos;s host name is sent in clear: anyone on the path can see which server you use, and it can be blocked by name.</source>
        <translation>不使用 ECH 时，Worker 的主机名以明文发送：链路上的任何人都能看到您使用的服务器，并可按名称将其封锁。</translation>
    </message>
    <message>
        <source>none: the system&apos;s trust store</source>
        <translation>留空：使用系统的证书信任库</translation>
    </message>
    <message>
        <source>Extra CA file</source>
        <translation>额外的 CA 证书文件</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Above this many open connections new ones wait.</source>
        <translation>打开的连接数达到此值后，新连接需排队等待。</translation>
    </message>
    <message>
        <source>Tunnels opened ahead of time; 0 opens them on demand.</source>
        <translation>预先建立的隧道数；0 表示按需建立。</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Preferred IP:</source>
        <translation>优选 IP(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>令牌(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;ECH domain:</source>
        <translation>ECH 域名(&amp;E)：</translation>
    </message>
    <message>
        <source>Connection &amp;limit:</source>
        <translation>连接数上限(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Warm pool size:</source>
        <translation>预热池大小(&amp;W)：</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Add&amp;ress:</source>
        <translation>地址(&amp;R)：</translation>
    </message>
    <message>
        <source>Do&amp;H server:</source>
        <translation>DoH 服务器(&amp;H)：</translation>
    </message>
    <message>
        <source>Extra CA &amp;file:</source>
        <translation>额外 CA 文件(&amp;F)：</translation>
    </message>
</context>
<context>
    <name>echw::ServerListModel</name>
    <message>
        <source>(no name)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <source>The server in use</source>
        <translation>正在使用的服务器</translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>%1 (copy %2)</source>
        <translation>%1（副本 %2）</translation>
    </message>
</context>
<context>
    <name>echw::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;Servers</source>
        <translation>服务器(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>常规(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>D&amp;uplicate</source>
        <translation>复制(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Use this ser&amp;ver</source>
        <translation>使用此服务器(&amp;V)</translation>
    </message>
    <message>
        <source>Connect through this server (shown in bold)</source>
        <translation>通过此服务器连接（以粗体显示）</translation>
    </message>
    <message>
        <source>No servers yet. Add one, paste a share link or import the config.json of the previous ECH Workers client.</source>
        <translation>还没有服务器。请添加一个、粘贴分享链接，或导入旧版 ECH Workers 客户端的 config.json。</translation>
    </message>
    <message>
        <source>&amp;Import config.json…</source>
        <translation>导入 config.json(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Copy share link…</source>
        <translation>复制分享链接(&amp;C)…</translation>
    </message>
    <message>
        <source>Import config.json</source>
        <translation>导入 config.json</translation>
    </message>
    <message>
        <source>No servers were added from %1.</source>
        <translation>未从 %1 添加任何服务器。</translation>
    </message>
    <message>
        <source>Added 1 server from %1.</source>
        <translation>已从 %1 添加 1 个服务器。</translation>
    </message>
    <message>
        <source>Added %1 servers from %2.</source>
        <translation>已从 %2 添加 %1 个服务器。</translation>
    </message>
    <message>
        <source>Not imported:</source>
        <translation>未导入：</translation>
    </message>
    <message>
        <source>this server</source>
        <translation>此服务器</translation>
    </message>
    <message>
        <source>Delete server</source>
        <translation>删除服务器</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;?</source>
        <translation>要删除“%1”吗？</translation>
    </message>
    <message>
        <source>config.json (*.json);;All files (*)</source>
        <translation>config.json (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Copy share link</source>
        <translation>复制分享链接</translation>
    </message>
    <message>
        <source>Include the token in the link?</source>
        <translation>要在链接中包含令牌吗？</translation>
    </message>
    <message>
        <source>Anyone who has a link with the token can use this server. Without it, whoever receives the link types the token in themselves.</source>
        <translation>任何拿到含令牌链接的人都能使用此服务器。不含令牌时，收到链接的人需要自行填写令牌。</translation>
    </message>
    <message>
        <source>Include token</source>
        <translation>包含令牌</translation>
    </message>
    <message>
        <source>Without token</source>
        <translation>不含令牌</translation>
    </message>
    <message>
        <source>Share link with the token copied.</source>
        <translation>已复制含令牌的分享链接。</translation>
    </message>
    <message>
        <source>Share link copied (without the token).</source>
        <translation>已复制分享链接（不含令牌）。</translation>
    </message>
    <message>
        <source>Add from share link</source>
        <translation>从分享链接添加</translation>
    </message>
    <message>
        <source>Paste an ech-workers:// link:</source>
        <translation>粘贴 ech-workers:// 链接：</translation>
    </message>
    <message>
        <source>Server added from the share link.</source>
        <translation>已从分享链接添加服务器。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Server added from the share link as &quot;%1&quot;: a server with its name exists.</source>
        <translation>已从分享链接添加服务器，名为“%1”：已有同名服务器。</translation>
    </message>
    <message>
        <source>No share link copied: the CA file %1 cannot be read (%2).</source>
        <translation>未复制分享链接：无法读取 CA 文件 %1（%2）。</translation>
    </message>
    <message>
        <source>No share link copied: the CA file holds %1 certificates, a link carries at most %2.</source>
        <translation>未复制分享链接：CA 文件包含 %1 个证书，一个链接最多携带 %2 个。</translation>
    </message>
    <message>
        <source>No share link copied: with its CA certificates it would be longer than a link may be (%1 KiB).</source>
        <translation>未复制分享链接：加上 CA 证书后，链接会超过允许的长度（%1 KiB）。</translation>
    </message>
    <message>
        <source>no folder for them</source>
        <translation>没有存放证书的文件夹</translation>
    </message>
    <message>
        <source>The share link&apos;s CA certificate cannot be used: %1.</source>
        <translation>分享链接中的 CA 证书无法使用：%1。</translation>
    </message>
    <message>
        <source>&amp;Move up</source>
        <translation>上移(&amp;M)</translation>
    </message>
    <message>
        <source>Move d&amp;own</source>
        <translation>下移(&amp;O)</translation>
    </message>
    <message>
        <source>Add from share lin&amp;k…</source>
        <translation>从分享链接添加(&amp;K)…</translation>
    </message>
</context>
<context>
    <name>echw::SystemProxySwitch</name>
    <message>
        <source>The system proxy is not available in this run.</source>
        <translation>本次运行无法使用系统代理。</translation>
    </message>
</context>
<context>
    <name>echw::ThroughputChart</name>
    <message>
        <source>Up</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 分钟</translation>
    </message>
    <message>
        <source>10 min</source>
        <translation>10 分钟</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>Separate scales</source>
        <translation>分开刻度</translation>
    </message>
    <message>
        <source>Upload on its own axis at the right</source>
        <translation>上传使用右侧单独的坐标轴</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
</context>
<context>
    <name>echw::TrayController</name>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Failing</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>路由</translation>
    </message>
    <message>
        <source>Open dashboard</source>
        <translation>打开仪表盘</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Start proxy</source>
        <translation>启动代理</translation>
    </message>
    <message>
        <source>Stop proxy</source>
        <translation>停止代理</translation>
    </message>
    <message>
        <source>No server yet: add one in Settings</source>
        <translation>尚无服务器：请在设置中添加</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>登录时启动</translation>
    </message>
    <message>
        <source>System proxy</source>
        <translation>系统代理</translation>
    </message>
    <message>
        <source>Copy proxy environment for terminals</source>
        <translation>复制终端用的代理环境变量</translation>
    </message>
    <message>
        <source>No server configured</source>
        <translation>未配置服务器</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>服务器：%1</translation>
    </message>
    <message>
        <source>Mode: %1</source>
        <translation>模式：%1</translation>
    </message>
    <message>
        <source>The local demo server on this machine, in use until you add a server of your own in Settings</source>
        <translation>本机上的本地演示服务器，在你于设置中添加自己的服务器之前使用</translation>
    </message>
    <message>
        <source>The desktop&apos;s proxy settings point at this proxy now</source>
        <translation>桌面的代理设置现在指向此代理</translation>
    </message>
    <message>
        <source>Points the desktop&apos;s proxy settings at this proxy while it runs</source>
        <translation>代理运行时让桌面的代理设置指向此代理</translation>
    </message>
</context>
</TS>
