/* vk_probe: lists the Vulkan physical devices through the generic loader (libvulkan.so.1):
 * "vulkan: device N: <name> (vendor 0x10de, API x.y.z)"; exit 0 when an NVIDIA device (vendor
 * 0x10de) is there. For tests/gpu/graphics.sh. */
#include <stdio.h>
#include <vulkan/vulkan.h>

int main(void)
{
        VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                                 .pApplicationName = "vk_probe",
                                 .apiVersion = VK_API_VERSION_1_1};
        VkInstanceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                     .pApplicationInfo = &app};
        VkInstance instance;
        VkResult r = vkCreateInstance(&info, NULL, &instance);
        if (r != VK_SUCCESS) {
                printf("vulkan: vkCreateInstance failed (%d)\n", r);
                return 1;
        }
        uint32_t count = 0;
        vkEnumeratePhysicalDevices(instance, &count, NULL);
        VkPhysicalDevice devices[16];
        if (count > 16)
                count = 16;
        vkEnumeratePhysicalDevices(instance, &count, devices);
        int nvidia = 0;
        for (uint32_t i = 0; i < count; i++) {
                VkPhysicalDeviceProperties p;
                vkGetPhysicalDeviceProperties(devices[i], &p);
                printf("vulkan: device %u: %s (vendor 0x%04x, API %u.%u.%u)\n", i, p.deviceName,
                       p.vendorID, VK_VERSION_MAJOR(p.apiVersion), VK_VERSION_MINOR(p.apiVersion),
                       VK_VERSION_PATCH(p.apiVersion));
                nvidia |= p.vendorID == 0x10de;
        }
        printf("vulkan: %u device(s)\n", count);
        vkDestroyInstance(instance, NULL);
        return nvidia ? 0 : 1;
}
